package io.podnet.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A port mapping as applied: compacted into a range, with a random host port resolved. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PortStatus {
    private String hostIP;
    private int hostPort;
    private int containerPort;
    private String protocol;
    private int range;

    public PortStatus() {
    }

    public PortStatus(String hostIP, int hostPort, int containerPort, String protocol, int range) {
        this.hostIP = hostIP;
        this.hostPort = hostPort;
        this.containerPort = containerPort;
        this.protocol = protocol;
        this.range = range;
    }

    public String getHostIP() {
        return hostIP;
    }

    public void setHostIP(String hostIP) {
        this.hostIP = hostIP;
    }

    public int getHostPort() {
        return hostPort;
    }

    public void setHostPort(int hostPort) {
        this.hostPort = hostPort;
    }

    public int getContainerPort() {
        return containerPort;
    }

    public void setContainerPort(int containerPort) {
        this.containerPort = containerPort;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    public int getRange() {
        return range;
    }

    public void setRange(int range) {
        this.range = range;
    }
}
