package io.podnet.engine.core;

import java.io.IOException;
import java.net.InetAddress;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.podnet.inet.IpAddresses;
import io.podnet.inet.Protocol;

/**
 * The JSON form of {@link PodState}: the port mappings are stored as the engine uses them, with
 * addresses in their short text form and protocols as "tcp", "udp", "sctp" (the form state files
 * have always had; an empty host address is read as every address).
 */
final class PodStateJson {
    private PodStateJson() {
    }

    static ObjectMapper mapper() {
        SimpleModule values = new SimpleModule("podnet-state-values")
                .addSerializer(InetAddress.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(InetAddress value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                        gen.writeString(IpAddresses.format(value));
                    }
                })
                .addDeserializer(InetAddress.class, new JsonDeserializer<>() {
                    @Override
                    public InetAddress deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                        String text = p.getValueAsString();
                        return text == null || text.isEmpty() ? null : IpAddresses.parse(text);
                    }
                })
                .addSerializer(Protocol.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(Protocol value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                        gen.writeString(value.lower());
                    }
                })
                .addDeserializer(Protocol.class, new JsonDeserializer<>() {
                    @Override
                    public Protocol deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                        return Protocol.parse(p.getValueAsString());
                    }
                });
        return new ObjectMapper()
                .registerModule(values)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(SerializationFeature.INDENT_OUTPUT, true);
    }
}
