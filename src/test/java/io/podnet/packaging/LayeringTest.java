package io.podnet.packaging;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * DESIGN's arrows, checked on the product's classes: operator -> engine -> the kernel-facing
 * parts -> sys, with {@code inet} (addresses, CIDRs, MACs, port mappings) the value vocabulary
 * every layer shares. Within the engine the API types depend on none of its subpackages, and the
 * plan touches no kernel. {@code policy} (who may do what on a node) is plain decisions on
 * {@code inet} values that the operator (to name a pod's namespace) and the engine (to enforce it) share.
 */
@AnalyzeClasses(packages = "io.podnet", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    private static final String[] PARTS = {"io.podnet.netns..", "io.podnet.netlink..", "io.podnet.ipam..", "io.podnet.firewall..",
        "io.podnet.rootless..", "io.podnet.dns..", "io.podnet.netconf..", "io.podnet.ports.."};
    private static final String[] KERNEL = {"io.podnet.netns..", "io.podnet.netlink..", "io.podnet.firewall..", "io.podnet.rootless..",
        "io.podnet.sys.."};

    @ArchTest
    static final ArchRule nothingImportsTheOperator = noClasses().that().resideOutsideOfPackage("io.podnet.operator..")
            .should().dependOnClassesThat().resideInAPackage("io.podnet.operator..");

    @ArchTest
    static final ArchRule theApiIsTheOperatorsOnly = noClasses().that()
            .resideOutsideOfPackages("io.podnet.operator..", "io.podnet.api..")
            .should().dependOnClassesThat().resideInAPackage("io.podnet.api..");

    @ArchTest
    static final ArchRule theOperatorSeesTheEngineNotTheParts = noClasses().that().resideInAPackage("io.podnet.operator..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(PARTS, "io.podnet.sys.."));

    @ArchTest
    static final ArchRule metricsSeeTheEngineOnly = noClasses().that().resideInAPackage("io.podnet.metrics..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(PARTS, "io.podnet.sys..", "io.podnet.api.."));

    @ArchTest
    static final ArchRule theEngineKnowsNoKubernetes = noClasses().that().resideInAPackage("io.podnet.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("io.podnet.metrics..", "io.fabric8..", "io.javaoperatorsdk..");

    @ArchTest
    static final ArchRule thePartsSitBelowTheEngine = noClasses().that().resideInAnyPackage(PARTS)
            .should().dependOnClassesThat().resideInAnyPackage("io.podnet.engine..", "io.podnet.metrics..");

    @ArchTest
    static final ArchRule sysAndInetAreTheBottom = noClasses().that().resideInAnyPackage("io.podnet.sys..", "io.podnet.inet..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(PARTS, "io.podnet.engine..", "io.podnet.metrics..",
                    "io.podnet.policy.."));

    @ArchTest
    static final ArchRule thePolicyIsPlainDecisions = noClasses().that().resideInAPackage("io.podnet.policy..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(PARTS, "io.podnet.engine..", "io.podnet.operator..",
                    "io.podnet.metrics..", "io.podnet.api..", "io.podnet.sys..", "io.fabric8.."));

    @ArchTest
    static final ArchRule inetIsPlainValues = noClasses().that().resideInAPackage("io.podnet.inet..")
            .should().dependOnClassesThat().resideInAPackage("io.podnet.sys..");

    @ArchTest
    static final ArchRule theEngineApiDependsOnNoEngineStep = noClasses().that().resideInAPackage("io.podnet.engine")
            .should().dependOnClassesThat().resideInAnyPackage("io.podnet.engine.plan..", "io.podnet.engine.apply..",
                    "io.podnet.engine.uplink..", "io.podnet.engine.driver..", "io.podnet.engine.core..");

    @ArchTest
    static final ArchRule thePlanTouchesNoKernel = noClasses().that().resideInAPackage("io.podnet.engine.plan..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(KERNEL, "io.podnet.engine.apply..", "io.podnet.engine.uplink..",
                    "io.podnet.engine.driver..", "io.podnet.engine.core.."));

    @ArchTest
    static final ArchRule noCycles = slices().matching("io.podnet.(**)").should().beFreeOfCycles();

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
