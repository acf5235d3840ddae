package io.podnet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.hostPort == 0 || self.hostPort + self.range - 1 <= 65535", message = "hostPort + range - 1 must not exceed 65535")
@ValidationRule(value = "self.containerPort + self.range - 1 <= 65535", message = "containerPort + range - 1 must not exceed 65535")
@ValidationRule(value = "!has(self.hostIP) || isIP(self.hostIP)", message = "hostIP must be an IP address")
public class PortMappingSpec {
    @JsonPropertyDescription("Host address to listen on; default: every address.")
    @Size(max = 45)
    private String hostIP;

    @JsonPropertyDescription("Host port; 0 picks a free one.")
    @Min(0)
    @Max(65535)
    @Default("0")
    private Integer hostPort = 0;

    @Required
    @Min(1)
    @Max(65535)
    private Integer containerPort;

    @JsonPropertyDescription("tcp, udp, sctp, or a comma-separated list such as tcp,udp.")
    @Pattern("^(tcp|udp|sctp)(,(tcp|udp|sctp))*$")
    @Default("tcp")
    private String protocol = "tcp";

    @JsonPropertyDescription("Number of consecutive ports mapped, starting at hostPort and containerPort.")
    @Min(1)
    @Max(65535)
    @Default("1")
    private Integer range = 1;

    public String getHostIP() {
        return hostIP;
    }

    public void setHostIP(String hostIP) {
        this.hostIP = hostIP;
    }

    public Integer getHostPort() {
        return hostPort;
    }

    public void setHostPort(Integer hostPort) {
        this.hostPort = hostPort;
    }

    public Integer getContainerPort() {
        return containerPort;
    }

    public void setContainerPort(Integer containerPort) {
        this.containerPort = containerPort;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    public Integer getRange() {
        return range;
    }

    public void setRange(Integer range) {
        this.range = range;
    }
}
