/**
 * What a pod should be, decided before any kernel change: {@link io.podnet.engine.plan.RequestValidator}
 * refuses what cannot be built, {@link io.podnet.engine.plan.Planner} turns a request into a
 * {@link io.podnet.engine.plan.PodState} (interface names, MACs, addresses from IPAM, host ports from
 * the registry), which is the intent persisted before the kernel steps. Kernel object names come
 * from {@link io.podnet.engine.plan.KernelNames}, never from user strings. Touches no kernel (a
 * layering test checks it): unit-tested without root.
 */
package io.podnet.engine.plan;
