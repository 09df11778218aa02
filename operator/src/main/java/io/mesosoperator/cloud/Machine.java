package io.mesosoperator.cloud;

/**
 * A machine as the cloud reports it.
 *
 * @param id provider id of the machine
 * @param clusterUid uid of the owning MesosCluster (from its tags)
 * @param node MesosNode name (from its tags)
 * @param role role name (from its tags)
 * @param state coarse state
 * @param privateAddress private IPv4 address, or null while unknown
 * @param publicAddress public address, or null
 * @param ipv6Address IPv6 address, or null
 * @param initialLogin credentials the provider returned at creation (only on create), or null
 */
public record Machine(
    String id,
    String clusterUid,
    String node,
    String role,
    State state,
    String privateAddress,
    String publicAddress,
    String ipv6Address,
    LoginCredentials initialLogin) {

  /** Coarse machine state. */
  public enum State {
    PENDING,
    RUNNING,
    STOPPED,
    TERMINATED,
    ERROR,
    UNKNOWN
  }
}
