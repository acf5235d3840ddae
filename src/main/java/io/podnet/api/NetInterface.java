package io.podnet.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class NetInterface {
    private String macAddress;
    private List<NetAddress> subnets = new ArrayList<>();

    public NetInterface() {
    }

    public NetInterface(String macAddress, List<NetAddress> subnets) {
        this.macAddress = macAddress;
        this.subnets = subnets;
    }

    public String getMacAddress() {
        return macAddress;
    }

    public void setMacAddress(String macAddress) {
        this.macAddress = macAddress;
    }

    public List<NetAddress> getSubnets() {
        return subnets;
    }

    public void setSubnets(List<NetAddress> subnets) {
        this.subnets = subnets == null ? new ArrayList<>() : subnets;
    }
}
