package io.podnet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.type != 'Path' || has(self.path)", message = "netns.path is required when netns.type is Path")
@ValidationRule(value = "self.type != 'Pid' || has(self.pid)", message = "netns.pid is required when netns.type is Pid")
@ValidationRule(value = "self.type == 'Path' || !has(self.path)", message = "netns.path is only allowed when netns.type is Path")
@ValidationRule(value = "self.type == 'Pid' || !has(self.pid)", message = "netns.pid is only allowed when netns.type is Pid")
public class NetnsSpec {
    @JsonPropertyDescription("New (default): the agent creates the namespace; Path: join an existing namespace file; Pid: the namespace of a running process.")
    @Default("New")
    private NetnsType type = NetnsType.New;

    @JsonPropertyDescription("Absolute path of an existing network namespace file (type Path); must be under one of the agent's allowed prefixes.")
    @Size(min = 1, max = 4096)
    private String path;

    @JsonPropertyDescription("Process whose network namespace is used (type Pid).")
    @Min(2)
    @Max(4194304)
    private Integer pid;

    public NetnsType getType() {
        return type;
    }

    public void setType(NetnsType type) {
        this.type = type;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public Integer getPid() {
        return pid;
    }

    public void setPid(Integer pid) {
        this.pid = pid;
    }
}
