package io.podnet.testing.kube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.podnet.testing.RootCondition;

/** The cluster tier runs when everything tools/cluster/up needs and the agent's image are there; under CI it must. */
public final class ClusterCondition implements ExecutionCondition {
    static final String HOW = "the cluster tier needs root; tools/kube/build and tools/cluster/build (Go >= 1.26); "
            + "apt-get install containerd runc containernetworking-plugins busybox-static nftables openssl; "
            + "and the agent's image: run it with ./mvnw verify -Pimage";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<String> missing = missing();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("cluster tier: everything is there");
        }
        String why = "cluster tier skipped: missing " + String.join(", ", missing) + " (" + HOW + ")";
        if (ApiServerCondition.underCi()) {
            throw new IllegalStateException("CI=true and the " + why.replace(" skipped", " cannot run"));
        }
        return ConditionEvaluationResult.disabled(why);
    }

    static List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!RootCondition.isRoot()) {
            missing.add("root");
        }
        if (KubeBinaries.find().isEmpty()) {
            missing.add("kube-apiserver, etcd and kubectl (tools/kube/build)");
        }
        if (!built()) {
            missing.add("kubelet, kube-controller-manager, kube-scheduler and kube-proxy (tools/cluster/build)");
        }
        for (String tool : List.of("/usr/bin/containerd", "/usr/bin/containerd-shim-runc-v2", "/usr/sbin/runc", "/usr/lib/cni/bridge", "/bin/busybox")) {
            if (!Files.isExecutable(Path.of(tool))) {
                missing.add(tool);
            }
        }
        if (!Files.isRegularFile(LocalCluster.IMAGE)) {
            missing.add("the agent's image " + LocalCluster.IMAGE + " (the image profile: -Pimage)");
        } else if (olderThanThePackagedAgent()) {
            // a package without -Pimage after one with it: the image would be an older agent
            missing.add("an image of this build: " + LocalCluster.IMAGE + " is older than " + AgentProcess.JAR + " (the image profile: -Pimage)");
        }
        return missing;
    }

    private static boolean olderThanThePackagedAgent() {
        try {
            return Files.exists(AgentProcess.JAR)
                    && Files.getLastModifiedTime(LocalCluster.IMAGE).compareTo(Files.getLastModifiedTime(AgentProcess.JAR)) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean built() {
        try {
            Process p = new ProcessBuilder(LocalCluster.BUILD.toString(), "--check").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
