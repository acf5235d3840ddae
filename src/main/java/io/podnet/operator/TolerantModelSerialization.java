package io.podnet.operator;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.api.TolerantDeserializers;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;

/** The Kubernetes client writes an unmappable PodNetwork spec back as it read it (see TolerantDeserializers). */
@Singleton
public class TolerantModelSerialization implements KubernetesClientObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(TolerantDeserializers.specWriter());
    }
}
