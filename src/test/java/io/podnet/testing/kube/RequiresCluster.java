package io.podnet.testing.kube;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster tier: a real single-node cluster ({@link LocalCluster}) with the agent's image.
 * Without what it needs it skips, saying what is missing; under CI ({@code CI=true}) it must run.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ClusterCondition.class)
public @interface RequiresCluster {
}
