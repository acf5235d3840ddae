package io.podnet.policy;

/**
 * Why the policy refuses a request: the power it lacks, a condition reason (also the first word
 * of the admission policy's message) and a message naming the namespace and what it may use.
 */
public record Refusal(Power power, String reason, String message) {
    /** The powers a grant gives, in the order both enforcement points check them. */
    public enum Power {
        ROOTFUL("RootfulNotGranted"),
        NETNS_JOIN("NetnsJoinNotGranted"),
        HOST_PORTS("HostPortNotGranted"),
        HOST_IPS("HostIPNotGranted");

        private final String reason;

        Power(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }
}
