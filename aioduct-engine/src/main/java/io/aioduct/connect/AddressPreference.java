package io.aioduct.connect;

/** Which address family to try first when a host resolves to both (a DNS hint). */
public enum AddressPreference {
    /** In the order the resolver returned them. */
    AS_RESOLVED,
    /** IPv4 addresses first, then IPv6. */
    IPV4_FIRST,
    /** IPv6 addresses first, then IPv4. */
    IPV6_FIRST
}
