package io.podnet.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Podman's InspectBasicNetworkConfig: the primary and secondary addresses of the pod. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class InspectSummary {
    private String ipAddress;
    private Integer ipPrefixLen;
    private String gateway;
    private String macAddress;
    private List<InspectAddress> secondaryIPAddresses = new ArrayList<>();
    private String globalIPv6Address;
    private Integer globalIPv6PrefixLen;
    private String ipv6Gateway;
    private List<InspectAddress> secondaryIPv6Addresses = new ArrayList<>();
    private List<String> additionalMacAddresses = new ArrayList<>();

    public String getIpAddress() {
        return ipAddress;
    }

    public void setIpAddress(String ipAddress) {
        this.ipAddress = ipAddress;
    }

    public Integer getIpPrefixLen() {
        return ipPrefixLen;
    }

    public void setIpPrefixLen(Integer ipPrefixLen) {
        this.ipPrefixLen = ipPrefixLen;
    }

    public String getGateway() {
        return gateway;
    }

    public void setGateway(String gateway) {
        this.gateway = gateway;
    }

    public String getMacAddress() {
        return macAddress;
    }

    public void setMacAddress(String macAddress) {
        this.macAddress = macAddress;
    }

    public List<InspectAddress> getSecondaryIPAddresses() {
        return secondaryIPAddresses;
    }

    public void setSecondaryIPAddresses(List<InspectAddress> secondaryIPAddresses) {
        this.secondaryIPAddresses = secondaryIPAddresses == null ? new ArrayList<>() : secondaryIPAddresses;
    }

    public String getGlobalIPv6Address() {
        return globalIPv6Address;
    }

    public void setGlobalIPv6Address(String globalIPv6Address) {
        this.globalIPv6Address = globalIPv6Address;
    }

    public Integer getGlobalIPv6PrefixLen() {
        return globalIPv6PrefixLen;
    }

    public void setGlobalIPv6PrefixLen(Integer globalIPv6PrefixLen) {
        this.globalIPv6PrefixLen = globalIPv6PrefixLen;
    }

    public String getIpv6Gateway() {
        return ipv6Gateway;
    }

    public void setIpv6Gateway(String ipv6Gateway) {
        this.ipv6Gateway = ipv6Gateway;
    }

    public List<InspectAddress> getSecondaryIPv6Addresses() {
        return secondaryIPv6Addresses;
    }

    public void setSecondaryIPv6Addresses(List<InspectAddress> secondaryIPv6Addresses) {
        this.secondaryIPv6Addresses = secondaryIPv6Addresses == null ? new ArrayList<>() : secondaryIPv6Addresses;
    }

    public List<String> getAdditionalMacAddresses() {
        return additionalMacAddresses;
    }

    public void setAdditionalMacAddresses(List<String> additionalMacAddresses) {
        this.additionalMacAddresses = additionalMacAddresses == null ? new ArrayList<>() : additionalMacAddresses;
    }
}
