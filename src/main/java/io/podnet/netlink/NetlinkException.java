package io.podnet.netlink;

import io.podnet.sys.Errno;

/**
 * An rtnetlink request failed. The message says what was attempted in words (e.g.
 * {@code RTM_NEWLINK veth pn1234/eth0}), the errno with its name and description, and the
 * kernel's own explanation from the extended ack when it sent one, e.g.
 * {@code RTM_NEWLINK veth pn1/eth0 failed: EEXIST (File exists)} or
 * {@code RTM_NEWLINK bridge pnx0 failed: ENOTSUP (Operation not supported): kernel says "Unknown device type"}.
 */
public class NetlinkException extends RuntimeException {
    private final String operation;
    private final int errno;
    private final String kernelMessage;
    private final int attributeOffset;

    /**
     * An error the kernel reported.
     *
     * @param kernelMessage NLMSGERR_ATTR_MSG, or null
     * @param attributeOffset NLMSGERR_ATTR_OFFS (offset of the offending attribute in the
     *                        request), or -1
     */
    public NetlinkException(String operation, int errno, String kernelMessage, int attributeOffset) {
        this(operation, errno, kernelMessage, attributeOffset, null, null);
    }

    private NetlinkException(String operation, int errno, String kernelMessage, int attributeOffset, String detail,
            Throwable cause) {
        super(text(operation, errno, kernelMessage, attributeOffset, detail), cause);
        this.operation = operation;
        this.errno = errno;
        this.kernelMessage = kernelMessage;
        this.attributeOffset = attributeOffset;
    }

    /** A failure found on this side (a malformed or truncated reply, a failed send or recv). */
    public static NetlinkException local(String operation, int errno, String detail) {
        return new NetlinkException(operation, errno, null, -1, detail, null);
    }

    static NetlinkException wrapping(String operation, int errno, Throwable cause) {
        return new NetlinkException(operation, errno, null, -1, cause.getMessage(), cause);
    }

    private static String text(String operation, int errno, String kernelMessage, int offset, String detail) {
        StringBuilder sb = new StringBuilder(operation).append(" failed: ").append(Errno.describe(errno));
        if (kernelMessage != null && !kernelMessage.isEmpty()) {
            sb.append(": kernel says \"").append(kernelMessage).append('"');
        }
        if (offset >= 0) {
            sb.append(" (about the attribute at byte ").append(offset).append(" of the request)");
        }
        if (detail != null) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    /** The request in words, e.g. {@code RTM_NEWADDR 10.89.0.1/24 on ifindex 3}. */
    public String operation() {
        return operation;
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EEXIST}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The kernel's extended-ack message (NLMSGERR_ATTR_MSG), or null when it sent none. */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** Offset of the attribute the kernel complained about in the request, or -1. */
    public int attributeOffset() {
        return attributeOffset;
    }

    public boolean is(int expectedErrno) {
        return errno == expectedErrno;
    }
}
