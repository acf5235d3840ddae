package io.podnet.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.kubernetes.api.model.Condition;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PodNetworkStatus {
    public static final String PENDING = "Pending";
    public static final String READY = "Ready";
    public static final String FAILED = "Failed";
    /** The phase of the metrics while the agent tears a PodNetwork down; the status is not patched for it. */
    public static final String TERMINATING = "Terminating";
    /** Every phase, in the order the metrics list them. */
    public static final java.util.List<String> PHASES = java.util.List.of(PENDING, READY, FAILED, TERMINATING);

    private Long observedGeneration;

    @JsonPropertyDescription("Pending, Ready or Failed.")
    private String phase;

    @JsonPropertyDescription("The network namespace the interfaces live in.")
    private String netnsPath;

    @JsonPropertyDescription("What was built for each network, by network name (podman's StatusBlock).")
    private Map<String, StatusBlock> networks = new LinkedHashMap<>();

    @JsonPropertyDescription("The port mappings as applied: compacted into ranges, random host ports resolved.")
    private List<PortStatus> ports = new ArrayList<>();

    @JsonPropertyDescription("Podman's basic network summary of the pod.")
    private InspectSummary inspect;

    @JsonPropertyDescription("The pod's hosts file on the node, for a runtime to mount.")
    private String hostsPath;

    @JsonPropertyDescription("The pod's resolv.conf on the node, for a runtime to mount.")
    private String resolvConfPath;

    @JsonPropertyDescription("The last value of the podnet.io/reload annotation that was acted on.")
    private String observedReload;

    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String phase) {
        this.phase = phase;
    }

    public String getNetnsPath() {
        return netnsPath;
    }

    public void setNetnsPath(String netnsPath) {
        this.netnsPath = netnsPath;
    }

    public Map<String, StatusBlock> getNetworks() {
        return networks;
    }

    public void setNetworks(Map<String, StatusBlock> networks) {
        this.networks = networks == null ? new LinkedHashMap<>() : networks;
    }

    public List<PortStatus> getPorts() {
        return ports;
    }

    public void setPorts(List<PortStatus> ports) {
        this.ports = ports == null ? new ArrayList<>() : ports;
    }

    public InspectSummary getInspect() {
        return inspect;
    }

    public void setInspect(InspectSummary inspect) {
        this.inspect = inspect;
    }

    public String getHostsPath() {
        return hostsPath;
    }

    public void setHostsPath(String hostsPath) {
        this.hostsPath = hostsPath;
    }

    public String getResolvConfPath() {
        return resolvConfPath;
    }

    public void setResolvConfPath(String resolvConfPath) {
        this.resolvConfPath = resolvConfPath;
    }

    public String getObservedReload() {
        return observedReload;
    }

    public void setObservedReload(String observedReload) {
        this.observedReload = observedReload;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions == null ? new ArrayList<>() : conditions;
    }
}
