package io.podnet.operator;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.NetInterface;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.operator.embedded.EmbeddedApiActivation;
import io.podnet.testing.RequiresRoot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The agent end to end: PodNetworks in the embedded API, the engine in a sandbox host namespace.
 */
@QuarkusTest
@RequiresRoot
@WithTestResource(SandboxHostResource.class)
class PodNetworkOperatorTest extends OperatorTestBase {
    @Inject
    EmbeddedApiActivation embeddedApi;

    @Test
    void createBecomesReadyWithTheKernelsStatusBlockAndDeleteRemovesEverything() {
        client.resource(podNetwork("web", "local", network("podnet"))).create();
        PodNetwork pn = awaitCondition("web", "Ready", "True");
        String uid = pn.getMetadata().getUid();
        String ns = podNetns(pn);

        assertThat(pn.getStatus().getPhase()).isEqualTo("Ready");
        assertThat(pn.getStatus().getObservedGeneration()).isEqualTo(pn.getMetadata().getGeneration());
        assertThat(pn.getStatus().getNetnsPath()).isEqualTo(ns);
        assertThat(pn.getMetadata().getFinalizers()).contains(PodNetworkReconciler.FINALIZER);
        assertThat(pn.getStatus().getConditions()).extracting(Condition::getType)
                .containsExactly("Ready", "NetnsReady", "NetworksReady", "PortsReady");

        // the StatusBlock is what netlink reads back from the namespace
        NetInterface eth0 = pn.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0");
        JsonNode link = ipJson(ns, "addr", "show", "eth0").get(0);
        assertThat(eth0.getMacAddress()).isEqualTo(link.get("address").asText());
        JsonNode v4 = null;
        for (JsonNode a : link.get("addr_info")) {
            if (a.get("family").asText().equals("inet")) {
                v4 = a;
            }
        }
        assertThat(eth0.getSubnets()).hasSize(1);
        assertThat(eth0.getSubnets().get(0).getIpnet()).isEqualTo(v4.get("local").asText() + "/" + v4.get("prefixlen").asInt());
        assertThat(eth0.getSubnets().get(0).getGateway()).isEqualTo("10.89.0.1");
        assertThat(pn.getStatus().getInspect().getIpAddress()).isEqualTo(v4.get("local").asText());
        assertThat(pn.getStatus().getInspect().getMacAddress()).isEqualTo(eth0.getMacAddress());
        await().atMost(TIMEOUT).until(() -> events(uid).stream().anyMatch(e -> e.getReason().equals("Ready") && e.getType().equals("Normal")));

        client.resource(pn).delete();
        awaitGone("web");
        assertThat(podNetnsPath(pn)).doesNotExist();
        await().atMost(TIMEOUT).until(() -> events(uid).stream().anyMatch(e -> e.getReason().equals("TornDown") && e.getType().equals("Normal")));
        assertThat(SandboxHostResource.runDir.resolve("state/pods").resolve(uid + ".json")).doesNotExist();
        assertThat(sandboxLinks().toString()).doesNotContain("\"pn");
    }

    @Test
    void invalidSpecsGetAReasonAnEventAndNoKernelChange() {
        NetworkAttachment longName = network("podnet");
        longName.setInterfaceName("interface-name-too-long");
        NetworkAttachment badIp = network("podnet");
        badIp.setStaticIPs(List.of("10.89.0.300"));
        NetworkAttachment outside = network("podnet");
        outside.setStaticIPs(List.of("192.168.7.7"));
        NetworkAttachment badMac = network("podnet");
        badMac.setStaticMAC("01:00:5e:00:00:01");
        NetworkAttachment cidr = network("podnet");
        cidr.setStaticIPs(List.of("10.89.0.5/24"));
        List<Map.Entry<String, PodNetwork>> cases = List.of(
                Map.entry("UnknownNetwork", podNetwork("unknown-network", "local", network("no-such-network"))),
                Map.entry("InvalidInterfaceName", podNetwork("long-ifname", "local", longName)),
                Map.entry("InvalidStaticIP", podNetwork("bad-ip", "local", badIp)),
                Map.entry("InvalidStaticIP", podNetwork("cidr-as-ip", "local", cidr)),
                Map.entry("StaticIPOutsideSubnet", podNetwork("outside", "local", outside)),
                Map.entry("InvalidMAC", podNetwork("multicast-mac", "local", badMac)));
        // the baseline is taken before the bad PodNetworks exist, so a link one of them made would show
        int links = sandboxLinks().size();
        cases.forEach(c -> client.resource(c.getValue()).create());

        cases.forEach(c -> {
            String reason = c.getKey();
            PodNetwork pn = c.getValue();
            PodNetwork got = awaitCondition(pn.getMetadata().getName(), "Ready", "False");
            Condition ready = condition(pn.getMetadata().getName(), "Ready");
            assertThat(ready.getReason()).as(pn.getMetadata().getName()).isEqualTo(reason);
            assertThat(condition(pn.getMetadata().getName(), "NetworksReady").getReason()).isEqualTo(reason);
            assertThat(got.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(podNetnsPath(got)).doesNotExist();
            await().atMost(TIMEOUT).until(() -> events(got.getMetadata().getUid()).stream()
                    .anyMatch(e -> e.getReason().equals(reason) && e.getType().equals("Warning")));
        });
        assertThat(sandboxLinks().size()).isEqualTo(links);
    }

    @Test
    void aBadDefinitionMakesOnlyItsNetworkUnavailable() {
        // the agent started with broken.json (not JSON) and tunnel.json (an option podnet lacks) in its networks dir
        Path networks = SandboxHostResource.stateDir.resolve("networks");
        client.resource(podNetwork("on-broken", "local", network("broken"))).create();
        client.resource(podNetwork("on-tunnel", "local", network("tunnel"))).create();
        client.resource(podNetwork("on-good", "local", network("podnet"))).create();
        awaitCondition("on-good", "Ready", "True");
        awaitCondition("on-broken", "Ready", "False");
        awaitCondition("on-tunnel", "Ready", "False");
        Condition broken = condition("on-broken", "Ready");
        assertThat(broken.getReason()).isEqualTo("InvalidNetworkDefinition");
        assertThat(broken.getMessage()).startsWith("network \"broken\" is unavailable on this node: its definition "
                + networks.resolve("broken.json") + ": invalid JSON");
        Condition tunnel = condition("on-tunnel", "NetworksReady");
        assertThat(tunnel.getReason()).isEqualTo("UnsupportedNetworkOption");
        assertThat(tunnel.getMessage()).contains(networks.resolve("tunnel.json").toString(), "option \"vrf\" is not supported");
        await().atMost(TIMEOUT).until(() -> events(client.resources(PodNetwork.class).inNamespace("default").withName("on-tunnel").get()
                .getMetadata().getUid()).stream().anyMatch(e -> e.getReason().equals("UnsupportedNetworkOption")));
    }

    @Test
    void aStaticIpHeldByAnotherPodIsRefused() {
        NetworkAttachment first = network("podnet");
        first.setStaticIPs(List.of("10.89.0.40"));
        client.resource(podNetwork("holder", "local", first)).create();
        awaitCondition("holder", "Ready", "True");
        NetworkAttachment second = network("podnet");
        second.setStaticIPs(List.of("10.89.0.40"));
        client.resource(podNetwork("taker", "local", second)).create();
        awaitCondition("taker", "Ready", "False");
        assertThat(condition("taker", "Ready").getReason()).isEqualTo("StaticIPTaken");
        assertThat(condition("taker", "Ready").getMessage()).contains("10.89.0.40");
        assertThat(condition("holder", "Ready").getStatus()).isEqualTo("True");
    }

    @Test
    void theInformerAsksTheApiServerForThisNodesPodNetworksOnly() {
        // the agent's list and watch of PodNetworks carry fieldSelector=spec.nodeName=local
        client.resource(podNetwork("selector", "local", network("podnet"))).create();
        awaitCondition("selector", "Ready", "True");
        client.resources(PodNetwork.class).inNamespace("default").withName("selector").delete();
        awaitGone("selector");
        // an informer restart is not needed: the initial list and watch were recorded at start
        List<String> seen = embeddedApi.server().orElseThrow().drainRequests();
        List<String> podNetworkReads = seen.stream()
                .filter(r -> r.startsWith("GET /apis/podnet.io/v1alpha1/podnetworks?")).toList();
        assertThat(podNetworkReads).isNotEmpty()
                .allMatch(r -> r.contains("fieldSelector=spec.nodeName%3Dlocal") || r.contains("fieldSelector=spec.nodeName=local"));
    }

    @Test
    void aPodNetworkThatDoesNotFitTheModelNeverStopsTheOthers() {
        // the embedded API stores what the real one refuses: a port beyond int, a string for a number
        io.fabric8.kubernetes.client.dsl.MixedOperation<io.fabric8.kubernetes.api.model.GenericKubernetesResource,
                io.fabric8.kubernetes.api.model.GenericKubernetesResourceList, ?> raw =
                        client.genericKubernetesResources(PodNetwork.GROUP + "/" + PodNetwork.VERSION, "PodNetwork");
        raw.inNamespace("default").resource(client.getKubernetesSerialization().unmarshal("""
                {"apiVersion": "podnet.io/v1alpha1", "kind": "PodNetwork", "metadata": {"name": "too-big", "namespace": "default"},
                 "spec": {"nodeName": "local", "networks": [{"name": "podnet"}], "portMappings": [{"hostPort": 99999999999, "containerPort": 80}]}}""",
                io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).create();
        raw.inNamespace("default").resource(client.getKubernetesSerialization().unmarshal("""
                {"apiVersion": "podnet.io/v1alpha1", "kind": "PodNetwork", "metadata": {"name": "no-node", "namespace": "default"},
                 "spec": {"nodeName": 7, "networks": "podnet"}}""", io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).create();
        client.resource(podNetwork("after-bad", "local", network("podnet"))).create();

        awaitCondition("after-bad", "Ready", "True");
        PodNetwork bad = awaitCondition("too-big", "Ready", "False");
        Condition ready = condition("too-big", "Ready");
        assertThat(ready.getReason()).isEqualTo("InvalidSpec");
        assertThat(ready.getMessage()).contains("spec.portMappings[0].hostPort");
        assertThat(podNetnsPath(bad)).doesNotExist();
        // the one with no readable node is left alone, and the informer still follows changes
        client.resource(podNetwork("later", "local", network("podnet"))).create();
        awaitCondition("later", "Ready", "True");
        raw.inNamespace("default").withName("no-node").delete();
        raw.inNamespace("default").withName("too-big").delete();
    }

    @Test
    void aMergePatchReplacesTheNetworkListAsTheApiServerDoes() {
        client.resource(podNetwork("merged", "local", network("podnet"))).create();
        awaitCondition("merged", "Ready", "True");
        // what kubectl apply and kubectl patch --type merge send for a custom resource
        client.resources(PodNetwork.class).inNamespace("default").withName("merged").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"spec\": {\"networks\": [{\"name\": \"podnet\"}, {\"name\": \"backend\"}]}, \"metadata\": {\"labels\": {\"tier\": \"web\"}}}");
        assertThat(get("merged").getSpec().getNetworks()).extracting(NetworkAttachment::getName).containsExactly("podnet", "backend");
        await().atMost(TIMEOUT).until(() -> get("merged").getStatus().getNetworks().containsKey("backend"));
        client.resources(PodNetwork.class).inNamespace("default").withName("merged").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"spec\": {\"networks\": [{\"name\": \"backend\"}]}, \"metadata\": {\"labels\": {\"tier\": null}}}");
        PodNetwork after = get("merged");
        assertThat(after.getSpec().getNetworks()).extracting(NetworkAttachment::getName).containsExactly("backend");
        assertThat(after.getMetadata().getLabels()).doesNotContainKey("tier");
        await().atMost(TIMEOUT).until(() -> !get("merged").getStatus().getNetworks().containsKey("podnet"));
    }

    @Test
    void kubectlFindsDiscoveryOpenApiAndTheTablePrinterThroughTheKubeconfigTheAgentWrote() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.podnet.testing.kube.KubeBinaries.find().isPresent(),
                "no kubectl of the API server tier: " + io.podnet.testing.kube.KubeBinaries.HOW_TO_BUILD);
        client.resource(podNetwork("printed", "local", network("podnet"))).create();
        PodNetwork ready = awaitCondition("printed", "Ready", "True");
        String kubeconfig = SandboxHostResource.runDir.resolve("kubeconfig").toString();
        String kubectl = io.podnet.testing.kube.KubeBinaries.kubectl().toString();
        // discovery
        io.podnet.testing.Shell.Result resources = io.podnet.testing.Shell.run(kubectl, "--kubeconfig", kubeconfig, "api-resources",
                "--api-group=podnet.io");
        assertThat(resources.ok()).as(resources.output()).isTrue();
        assertThat(resources.output()).contains("podnetworks").contains("pn").contains("podnet.io/v1alpha1").contains("PodNetwork");
        // the Table printer: the CRD's columns, with the agent's values
        io.podnet.testing.Shell.Result table = io.podnet.testing.Shell.run(kubectl, "--kubeconfig", kubeconfig, "get", "pn", "printed");
        assertThat(table.ok()).as(table.output()).isTrue();
        assertThat(table.output().lines().findFirst().orElse("")).contains("NAME", "NODE", "MODE", "PHASE", "IP");
        assertThat(table.output()).contains("printed", "local", "Rootful", "Ready", ready.getStatus().getInspect().getIpAddress());
        // OpenAPI v3: explain reads the schema of the CRD
        io.podnet.testing.Shell.Result explain = io.podnet.testing.Shell.run(kubectl, "--kubeconfig", kubeconfig, "explain", "pn.spec.nodeName");
        assertThat(explain.ok()).as(explain.output()).isTrue();
        assertThat(explain.output()).contains("The node whose podnet agent builds this network");
    }

    @Test
    void theEmbeddedApiLetsInOnlyTheHolderOfItsKubeconfig() throws Exception {
        var api = embeddedApi.server().orElseThrow();
        // the embedded API's certificate is self-signed and fresh at each start: this test checks who gets in, not TLS
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(trustAll).build();
        assertThat(api.url()).as("TLS on loopback").startsWith("https://");
        String body = "{\"apiVersion\":\"podnet.io/v1alpha1\",\"kind\":\"PodNetwork\",\"metadata\":{\"name\":\"intruder\"},"
                + "\"spec\":{\"nodeName\":\"local\",\"portMappings\":[{\"hostPort\":18555,\"containerPort\":80}]}}";
        for (String authorization : new String[] {null, "Bearer not-the-token", "Basic YWRtaW46YWRtaW4="}) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url() + "/apis/podnet.io/v1alpha1/namespaces/default/podnetworks"))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            var response = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("POST with %s", authorization).isEqualTo(401);
            var get = java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url() + "/apis/podnet.io/v1alpha1/podnetworks")).GET();
            if (authorization != null) {
                get.header("Authorization", authorization);
            }
            assertThat(http.send(get.build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        }
        assertThat(get("intruder")).isNull();
        // the token lives in the kubeconfig, readable by its owner only: another local user cannot read it
        Path kubeconfig = SandboxHostResource.runDir.resolve("kubeconfig");
        assertThat(java.nio.file.Files.getPosixFilePermissions(kubeconfig))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        io.podnet.testing.Shell.Result asNobody = io.podnet.testing.Shell.run("runuser", "-u", "nobody", "--", "cat", kubeconfig.toString());
        assertThat(asNobody.ok()).as(asNobody.output()).isFalse();
        assertThat(asNobody.output()).contains("Permission denied");
        // its holder gets in, as kubectl would
        try (KubernetesClient holder = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(java.nio.file.Files.readString(kubeconfig))).build()) {
            org.assertj.core.api.Assertions.assertThatCode(() -> holder.resources(PodNetwork.class).inNamespace("default").list())
                    .as("a 401 would throw").doesNotThrowAnyException();
        }
    }
}
