/**
 * The orchestration: {@link io.podnet.engine.core.NetworkEngine} runs plan -> persist intent -> apply
 * for each pod under its lock, rolls a fresh pod back when a step fails, repairs the node, and
 * reads traffic counters. {@link io.podnet.engine.core.Failures} is the one place a kernel-side failure
 * becomes a stage and reason; {@link io.podnet.engine.core.PodStateStore} keeps each pod's intent
 * on disk, written atomically.
 */
package io.podnet.engine.core;
