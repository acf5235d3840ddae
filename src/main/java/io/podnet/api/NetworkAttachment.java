package io.podnet.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One network the pod joins, by the name of a network definition in the agent's node config. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class NetworkAttachment {
    @JsonPropertyDescription("Name of a network definition known to the node's agent.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
    private String name;

    @JsonPropertyDescription("Interface name inside the pod's namespace; default: the first free ethN.")
    @Size(min = 1, max = 15)
    @Pattern("^[a-zA-Z0-9_-][a-zA-Z0-9_.-]*$")
    private String interfaceName;

    @JsonPropertyDescription("Addresses to use instead of allocating them, one per subnet at most.")
    @Size(max = 8)
    @ValidationRule(value = "self.all(ip, isIP(ip))", message = "staticIPs must be IP addresses")
    private List<@Size(max = 45) String> staticIPs = new ArrayList<>();

    @JsonPropertyDescription("MAC address of the pod's interface, e.g. 02:00:00:00:00:01.")
    @Pattern("^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")
    private String staticMAC;

    @JsonPropertyDescription("Extra names of the pod on this network.")
    @Size(max = 32)
    private List<@Size(max = 253) String> aliases = new ArrayList<>();

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getInterfaceName() {
        return interfaceName;
    }

    public void setInterfaceName(String interfaceName) {
        this.interfaceName = interfaceName;
    }

    public List<String> getStaticIPs() {
        return staticIPs;
    }

    public void setStaticIPs(List<String> staticIPs) {
        this.staticIPs = staticIPs == null ? new ArrayList<>() : staticIPs;
    }

    public String getStaticMAC() {
        return staticMAC;
    }

    public void setStaticMAC(String staticMAC) {
        this.staticMAC = staticMAC;
    }

    public List<String> getAliases() {
        return aliases;
    }

    public void setAliases(List<String> aliases) {
        this.aliases = aliases == null ? new ArrayList<>() : aliases;
    }
}
