package io.podnet.operator.embedded;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;

/**
 * The API discovery documents kubectl needs before it can apply, get or delete anything: the
 * core group with the few kinds podnet uses, apiextensions for CRDs, and one group per stored
 * CRD (so `kubectl apply -f crds/` and then the custom kinds work).
 */
final class Discovery {
    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private Discovery() {
    }

    static APIVersions coreVersions(String serverAddress) {
        return new APIVersionsBuilder()
                .withVersions("v1")
                .addNewServerAddressByClientCIDR("0.0.0.0/0", serverAddress)
                .build();
    }

    static APIResourceList coreResources() {
        return new APIResourceListBuilder()
                .withGroupVersion("v1")
                .withResources(
                        resource("namespaces", "namespace", "Namespace", false, List.of("ns")),
                        resource("events", "event", "Event", true, List.of("ev")),
                        resource("configmaps", "configmap", "ConfigMap", true, List.of("cm")))
                .build();
    }

    static APIGroupList groups(List<CustomResourceDefinition> crds) {
        List<APIGroup> groups = new ArrayList<>();
        groups.add(groupOf("apiextensions.k8s.io", List.of("v1")));
        groups.add(groupOf("events.k8s.io", List.of("v1")));
        crdsByGroup(crds).forEach((group, versions) -> groups.add(groupOf(group, new ArrayList<>(versions.keySet()))));
        return new APIGroupListBuilder().withGroups(groups).build();
    }

    /** The group's document, or null when no such group is known. */
    static APIGroup group(String name, List<CustomResourceDefinition> crds) {
        if (name.equals("apiextensions.k8s.io") || name.equals("events.k8s.io")) {
            return groupOf(name, List.of("v1"));
        }
        Map<String, List<CustomResourceDefinition>> versions = crdsByGroup(crds).get(name);
        return versions == null ? null : groupOf(name, new ArrayList<>(versions.keySet()));
    }

    /** The resources of one group version, or null when it is unknown. */
    static APIResourceList resources(String group, String version, List<CustomResourceDefinition> crds) {
        if (group.equals("apiextensions.k8s.io") && version.equals("v1")) {
            return new APIResourceListBuilder().withGroupVersion("apiextensions.k8s.io/v1")
                    .withResources(resource("customresourcedefinitions", "customresourcedefinition",
                            "CustomResourceDefinition", false, List.of("crd", "crds")))
                    .build();
        }
        if (group.equals("events.k8s.io") && version.equals("v1")) {
            return new APIResourceListBuilder().withGroupVersion("events.k8s.io/v1")
                    .withResources(resource("events", "event", "Event", true, List.of("ev")))
                    .build();
        }
        Map<String, List<CustomResourceDefinition>> versions = crdsByGroup(crds).get(group);
        if (versions == null || !versions.containsKey(version)) {
            return null;
        }
        List<APIResource> resources = new ArrayList<>();
        for (CustomResourceDefinition crd : versions.get(version)) {
            var names = crd.getSpec().getNames();
            boolean namespaced = "Namespaced".equals(crd.getSpec().getScope());
            resources.add(new APIResourceBuilder(resource(names.getPlural(), names.getSingular(), names.getKind(), namespaced,
                    names.getShortNames() == null ? List.of() : names.getShortNames()))
                    .withCategories(names.getCategories())
                    .build());
            CustomResourceDefinitionVersion v = crd.getSpec().getVersions().stream()
                    .filter(x -> x.getName().equals(version)).findFirst().orElseThrow();
            if (v.getSubresources() != null && v.getSubresources().getStatus() != null) {
                resources.add(new APIResourceBuilder()
                        .withName(names.getPlural() + "/status")
                        .withSingularName("")
                        .withKind(names.getKind())
                        .withNamespaced(namespaced)
                        .withVerbs("get", "patch", "update")
                        .build());
            }
        }
        return new APIResourceListBuilder().withGroupVersion(group + "/" + version).withResources(resources).build();
    }

    private static Map<String, Map<String, List<CustomResourceDefinition>>> crdsByGroup(List<CustomResourceDefinition> crds) {
        Map<String, Map<String, List<CustomResourceDefinition>>> byGroup = new LinkedHashMap<>();
        for (CustomResourceDefinition crd : crds) {
            for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
                if (Boolean.FALSE.equals(v.getServed())) {
                    continue;
                }
                byGroup.computeIfAbsent(crd.getSpec().getGroup(), g -> new LinkedHashMap<>())
                        .computeIfAbsent(v.getName(), n -> new ArrayList<>())
                        .add(crd);
            }
        }
        return byGroup;
    }

    private static APIGroup groupOf(String name, List<String> versions) {
        List<GroupVersionForDiscovery> gvs = versions.stream()
                .map(v -> new GroupVersionForDiscovery(name + "/" + v, v))
                .toList();
        return new APIGroupBuilder()
                .withName(name)
                .withVersions(gvs)
                .withPreferredVersion(gvs.get(0))
                .build();
    }

    private static APIResource resource(String plural, String singular, String kind, boolean namespaced, List<String> shortNames) {
        return new APIResourceBuilder()
                .withName(plural)
                .withSingularName(singular)
                .withKind(kind)
                .withNamespaced(namespaced)
                .withShortNames(shortNames)
                .withVerbs(VERBS)
                .build();
    }
}
