package io.podnet.operator;

import java.lang.reflect.Field;

import org.jboss.logging.Logger;

import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.podnet.api.PodNetwork;

/**
 * Makes the informer list and watch only this node's PodNetworks ({@code spec.nodeName=<node>}),
 * so an agent never receives the other nodes' resources where the API server enforces it.
 * <p>
 * The node name is known only at run time. QOSDK 7.7.3's runtime property
 * {@code quarkus.operator-sdk.controllers.<name>.field-selectors} fails for custom resources
 * (a null build-time service in QuarkusFieldSelector), and JOSDK 5.3's overrider has no
 * field-selector method, though its informer builder has one: it is reached here. When that
 * fails (another JOSDK version), the agent still only acts on its node's resources through the
 * reconciler's filter, and says so.
 */
final class NodeFieldSelector {
    private static final Logger LOG = Logger.getLogger(NodeFieldSelector.class);
    static final String PATH = "spec.nodeName";

    private NodeFieldSelector() {
    }

    @SuppressWarnings("unchecked")
    static boolean apply(ControllerConfigurationOverrider<PodNetwork> overrider, String node) {
        try {
            Field config = ControllerConfigurationOverrider.class.getDeclaredField("config");
            config.setAccessible(true);
            InformerConfiguration<PodNetwork>.Builder informer = (InformerConfiguration<PodNetwork>.Builder) config.get(overrider);
            informer.withFieldSelector(new FieldSelector(new FieldSelector.Field(PATH, node, false)));
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("cannot set the field selector %s=%s on the informer (%s); all PodNetworks will be watched and "
                    + "those of other nodes ignored", PATH, node, e);
            return false;
        }
    }
}
