package io.podnet.netlink;

import io.podnet.inet.Cidr;

/**
 * An interface address (RTM_NEWADDR).
 *
 * @param index  the ifindex of the link it is on
 * @param family AF_INET (2) or AF_INET6 (10)
 * @param cidr   IFA_LOCAL (or IFA_ADDRESS when there is no IFA_LOCAL, as for IPv6) with
 *               ifa_prefixlen, e.g. 10.89.0.5/24
 * @param scope  ifa_scope (RT_SCOPE_UNIVERSE 0, RT_SCOPE_LINK 253, RT_SCOPE_HOST 254)
 * @param flags  IFA_FLAGS when present, else ifa_flags (IFA_F_PERMANENT, IFA_F_NODAD,
 *               IFA_F_TENTATIVE, ...)
 */
public record Address(int index, int family, Cidr cidr, int scope, int flags) {

    /** True while IPv6 duplicate address detection has not finished (IFA_F_TENTATIVE). */
    public boolean isTentative() {
        return (flags & RtnlConstants.IFA_F_TENTATIVE) != 0;
    }
}
