package io.mesosoperator.api;

import java.util.List;

/**
 * The one table of the fixed ports of the services the operator runs (ZooKeeper's are in the spec:
 * {@link ZooKeeperSpec}).
 */
public final class Ports {
  /** SSH, how the operator reaches every node (the spec may move it: {@code spec.ssh.port}). */
  public static final int SSH = 22;

  /** mesos-master's HTTP API and its peers' traffic. */
  public static final int MESOS_MASTER = 5050;

  /** mesos-agent (mesos-slave). */
  public static final int MESOS_AGENT = 5051;

  /** Marathon's HTTP API and UI. */
  public static final int MARATHON = 8080;

  private Ports() {}

  /** The ports open between the cluster's nodes: ZooKeeper's three, Mesos and Marathon. */
  public static List<Integer> internal(ZooKeeperSpec zk) {
    return List.of(
        zk.getClientPort(),
        zk.getPeerPort(),
        zk.getElectionPort(),
        MESOS_MASTER,
        MESOS_AGENT,
        MARATHON);
  }
}
