package io.podnet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One address of an interface: the IP in CIDR form and the gateway of its subnet. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class NetAddress {
    @JsonPropertyDescription("The interface address with its prefix length, e.g. 10.89.0.5/24.")
    private String ipnet;
    private String gateway;

    public NetAddress() {
    }

    public NetAddress(String ipnet, String gateway) {
        this.ipnet = ipnet;
        this.gateway = gateway;
    }

    public String getIpnet() {
        return ipnet;
    }

    public void setIpnet(String ipnet) {
        this.ipnet = ipnet;
    }

    public String getGateway() {
        return gateway;
    }

    public void setGateway(String gateway) {
        this.gateway = gateway;
    }
}
