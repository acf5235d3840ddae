package io.podnet.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** DNS settings added to what the pod's networks provide. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class DnsSpec {
    @JsonPropertyDescription("Extra name servers (IP addresses).")
    @Size(max = 8)
    @ValidationRule(value = "self.all(s, isIP(s))", message = "dns.servers must be IP addresses")
    private List<@Size(max = 45) String> servers = new ArrayList<>();

    @Size(max = 32)
    private List<@Size(max = 253) String> searches = new ArrayList<>();

    @Size(max = 32)
    private List<@Size(max = 64) String> options = new ArrayList<>();

    public List<String> getServers() {
        return servers;
    }

    public void setServers(List<String> servers) {
        this.servers = servers == null ? new ArrayList<>() : servers;
    }

    public List<String> getSearches() {
        return searches;
    }

    public void setSearches(List<String> searches) {
        this.searches = searches == null ? new ArrayList<>() : searches;
    }

    public List<String> getOptions() {
        return options;
    }

    public void setOptions(List<String> options) {
        this.options = options == null ? new ArrayList<>() : options;
    }
}
