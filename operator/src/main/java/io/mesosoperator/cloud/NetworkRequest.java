package io.mesosoperator.cloud;

import java.util.List;
import java.util.Map;

/**
 * The cluster's network and firewall.
 *
 * @param clusterUid uid of the owning MesosCluster
 * @param clusterName name of the owning MesosCluster
 * @param location region or zone, or null
 * @param cidr private IPv4 range, or null for the provider's default
 * @param publicPortsByRole TCP ports open to the world, per role name
 * @param internalPorts TCP ports open only inside the cluster network (ZooKeeper, Mesos, Marathon)
 * @param allowedSources CIDRs allowed to reach the public ports; null or empty for anywhere
 */
public record NetworkRequest(
    String clusterUid,
    String clusterName,
    String location,
    String cidr,
    Map<String, List<Integer>> publicPortsByRole,
    List<Integer> internalPorts,
    List<String> allowedSources) {

  /** A request with the public ports open to anywhere. */
  public NetworkRequest(
      String clusterUid,
      String clusterName,
      String location,
      String cidr,
      Map<String, List<Integer>> publicPortsByRole,
      List<Integer> internalPorts) {
    this(clusterUid, clusterName, location, cidr, publicPortsByRole, internalPorts, null);
  }
}
