package io.mesosoperator.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one builder of a ZooKeeper URL, {@code zk://host1:port,host2:port/path}, as Mesos and
 * Marathon read it ({@code /etc/mesos/zk}, Marathon's {@code --zk} and {@code --master}) and as the
 * cluster's status shows it.
 */
public final class ZooKeeperUrl {
  /** The znode Mesos keeps its leader election under. */
  public static final String MESOS = "/mesos";

  /** The znode Marathon keeps its state under. */
  public static final String MARATHON = "/marathon";

  private ZooKeeperUrl() {}

  /**
   * The URL of an ensemble.
   *
   * @param hosts the members' addresses, in ZooKeeper id order
   * @param clientPort the ensemble's client port
   * @param path the znode, for example {@code /mesos} (a missing leading slash is added)
   */
  public static String of(List<String> hosts, int clientPort, String path) {
    return "zk://"
        + hosts.stream().map(h -> h + ":" + clientPort).collect(Collectors.joining(","))
        + (path.startsWith("/") ? path : "/" + path);
  }
}
