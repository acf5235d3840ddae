package io.podnet.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Podman's StatusBlock for one network: interfaces by name, and the network's DNS settings. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class StatusBlock {
    private Map<String, NetInterface> interfaces = new LinkedHashMap<>();
    private List<String> dnsServerIPs = new ArrayList<>();
    private List<String> dnsSearchDomains = new ArrayList<>();

    public Map<String, NetInterface> getInterfaces() {
        return interfaces;
    }

    public void setInterfaces(Map<String, NetInterface> interfaces) {
        this.interfaces = interfaces == null ? new LinkedHashMap<>() : interfaces;
    }

    public List<String> getDnsServerIPs() {
        return dnsServerIPs;
    }

    public void setDnsServerIPs(List<String> dnsServerIPs) {
        this.dnsServerIPs = dnsServerIPs == null ? new ArrayList<>() : dnsServerIPs;
    }

    public List<String> getDnsSearchDomains() {
        return dnsSearchDomains;
    }

    public void setDnsSearchDomains(List<String> dnsSearchDomains) {
        this.dnsSearchDomains = dnsSearchDomains == null ? new ArrayList<>() : dnsSearchDomains;
    }
}
