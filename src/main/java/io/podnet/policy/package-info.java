/**
 * Who may do what on a node: the node policy's grants give namespaces the powers a PodNetwork
 * can use against the whole node (joining an existing network namespace, rootful mode, host
 * ports, host addresses). The agent's engine checks every request against it; the chart's
 * ValidatingAdmissionPolicy checks the same flat form of it ({@link io.podnet.policy.NodePolicy#data()}) in the
 * API server. Plain decisions, no kernel.
 */
package io.podnet.policy;
