package io.podnet.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.crd.generator.annotation.SelectableField;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodNetworkSpec {
    @JsonPropertyDescription("The node whose podnet agent builds this network. Immutable.")
    @Required
    @SelectableField
    @Size(min = 1, max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    @ValidationRule(value = "self == oldSelf", message = "nodeName is immutable")
    private String nodeName;

    @JsonPropertyDescription("Rootful (default) or Rootless.")
    @Default("Rootful")
    private Mode mode = Mode.Rootful;

    @JsonPropertyDescription("Where the interfaces go; default: a new namespace owned by the agent.")
    private NetnsSpec netns;

    @JsonPropertyDescription("Networks to join; empty means loopback only.")
    @Size(max = 16)
    @ValidationRule(value = "self.all(a, self.exists_one(b, b.name == a.name))", message = "a network may be listed only once")
    @ValidationRule(value = "self.all(a, !has(a.interfaceName) || self.exists_one(b, has(b.interfaceName) && b.interfaceName == a.interfaceName))",
            message = "interface names must be unique")
    private List<NetworkAttachment> networks = new ArrayList<>();

    @JsonPropertyDescription("Ports exposed on the node.")
    @Size(max = 1024)
    private List<PortMappingSpec> portMappings = new ArrayList<>();

    @JsonPropertyDescription("DNS settings added to what the networks provide.")
    private DnsSpec dns;

    /** Set instead of the fields when the stored spec does not fit this model; never in the CRD. */
    @JsonIgnore
    private String mappingProblem;

    /** The stored spec as read, when it does not fit: written back unchanged. */
    @JsonIgnore
    private com.fasterxml.jackson.databind.JsonNode unmappedTree;

    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    public NetnsSpec getNetns() {
        return netns;
    }

    public void setNetns(NetnsSpec netns) {
        this.netns = netns;
    }

    public List<NetworkAttachment> getNetworks() {
        return networks;
    }

    public void setNetworks(List<NetworkAttachment> networks) {
        this.networks = networks == null ? new ArrayList<>() : networks;
    }

    public List<PortMappingSpec> getPortMappings() {
        return portMappings;
    }

    public void setPortMappings(List<PortMappingSpec> portMappings) {
        this.portMappings = portMappings == null ? new ArrayList<>() : portMappings;
    }

    public DnsSpec getDns() {
        return dns;
    }

    public void setDns(DnsSpec dns) {
        this.dns = dns;
    }

    @JsonIgnore
    public String getMappingProblem() {
        return mappingProblem;
    }

    @JsonIgnore
    public void setMappingProblem(String mappingProblem) {
        this.mappingProblem = mappingProblem;
    }

    @JsonIgnore
    public com.fasterxml.jackson.databind.JsonNode getUnmappedTree() {
        return unmappedTree;
    }

    @JsonIgnore
    public void setUnmappedTree(com.fasterxml.jackson.databind.JsonNode unmappedTree) {
        this.unmappedTree = unmappedTree;
    }
}
