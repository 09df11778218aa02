package io.mesosoperator.render;

/**
 * A node as rendering sees it: its name, the name of its role in {@code spec.roles}, its addresses
 * and, for masters, its ZooKeeper id.
 *
 * @param name node name, also its hostname
 * @param role name of the role in the cluster's spec
 * @param privateAddress private IPv4 address
 * @param publicAddress public address, or null
 * @param ipv6Address IPv6 address bound to the name in /etc/hosts, or null
 * @param zkId ZooKeeper id for masters (1 to 255), null for agents
 */
public record NodeInfo(
    String name,
    String role,
    String privateAddress,
    String publicAddress,
    String ipv6Address,
    Integer zkId) {

  /** The address other machines and browsers should use: public where there is one. */
  public String advertisedAddress() {
    return publicAddress != null && !publicAddress.isBlank() ? publicAddress : privateAddress;
  }
}
