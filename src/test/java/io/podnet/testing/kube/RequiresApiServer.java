package io.podnet.testing.kube;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API server tier: tests against a real kube-apiserver and etcd. Without the binaries they
 * skip, saying how to build them; under CI ({@code CI=true}) they must run, so missing binaries fail.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ApiServerCondition.class)
public @interface RequiresApiServer {
}
