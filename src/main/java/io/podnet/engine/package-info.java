/**
 * The engine's API, which knows nothing of Kubernetes: {@link io.podnet.engine.PodNetworkEngine}
 * (setup, teardown, node repair), its plain inputs ({@link io.podnet.engine.PodRequest} and the
 * requests it holds), its output ({@link io.podnet.engine.PodResult}, shaped as podman's
 * StatusBlock), the failures a status shows ({@link io.podnet.engine.RejectedRequestException}
 * and {@link io.podnet.engine.SetupFailedException}, each with a {@link io.podnet.engine.Stage}
 * and a reason), {@link io.podnet.engine.EngineSettings} built from plain values, and the
 * observer the metrics implement. Values are {@code io.podnet.inet}'s.
 *
 * <p>The work is in the subpackages, whose arrows point one way:
 * {@code core} (orchestration, state, locks) -> {@code driver} (one interface per kind of network)
 * -> {@code uplink} (host or rootless side) -> {@code apply} (kernel steps) -> {@code plan}
 * (what a pod should be; no kernel) -> this package. None of them is imported by the operator
 * except {@code core.NetworkEngine}, to open the engine.
 */
package io.podnet.engine;
