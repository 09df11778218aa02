package io.mesosoperator.cloud;

import java.util.List;

/**
 * Machines of a cluster in some cloud. Machines are found by the tags they carry (cluster uid, node
 * name, role), never by memory, so a restarted operator finds what exists.
 *
 * <p>Implementations are thread-safe; calls may block on the network.
 */
public interface MachineProvider extends AutoCloseable {

  /** Tag (or user metadata key) holding the owning cluster's uid. */
  String TAG_CLUSTER_UID = "mesos-operator.cluster-uid";

  /** Tag holding the MesosNode name. */
  String TAG_NODE = "mesos-operator.node";

  /** Tag holding the role name. */
  String TAG_ROLE = "mesos-operator.role";

  /**
   * Makes sure the cluster's network and firewall exist where the provider supports them.
   * Idempotent: a second call with the same request changes nothing.
   */
  void ensureNetwork(NetworkRequest request) throws CloudException;

  /**
   * What {@link #ensureNetwork} enforces in the cloud, for status (for example the security groups
   * it made), or null when the provider has no firewall the operator sets: the host firewall on
   * each node is then the only one.
   */
  default String cloudFirewall() {
    return null;
  }

  /** Every machine carrying the cluster's uid tag. */
  List<Machine> list(String clusterUid) throws CloudException;

  /** Creates one machine with the request's tags; returns it with its addresses. */
  Machine create(MachineRequest request) throws CloudException;

  /** Destroys a machine by id. Destroying a machine that does not exist is not an error. */
  void destroy(String machineId) throws CloudException;

  /** Removes the cluster's network and firewall, if the provider made any. Idempotent. */
  default void releaseNetwork(String clusterUid) throws CloudException {}

  @Override
  default void close() {}
}
