package io.mesosoperator.cloud;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The least-open firewall for a cluster, as pure data: each role gets exactly its public ports from
 * the world, and the internal ports (ZooKeeper, Mesos, Marathon) only from the cluster network.
 *
 * <p>jclouds has no portable firewall API, so a provider-specific hook applies these rules
 * (security groups, firewall rules); {@link JcloudsMachineProvider} opens each role's public ports
 * through the node template instead.
 */
public final class FirewallPlan {

  /** Source meaning "anywhere". */
  public static final String WORLD = "0.0.0.0/0";

  /**
   * Source meaning "only the cluster's own machines", used when the request names no CIDR (the hook
   * then uses the provider's own notion, such as a security group that admits its members).
   */
  public static final String CLUSTER_MEMBERS = "cluster-members";

  /** ZooKeeper client. */
  public static final int ZK_CLIENT = 2181;

  /** ZooKeeper peer. */
  public static final int ZK_PEER = 2888;

  /** ZooKeeper leader election. */
  public static final int ZK_ELECTION = 3888;

  /** mesos-master. */
  public static final int MESOS_MASTER = 5050;

  /** mesos-slave. */
  public static final int MESOS_AGENT = 5051;

  /** Marathon. */
  public static final int MARATHON = 8080;

  /** Internal ports used when the request lists none. */
  public static final List<Integer> DEFAULT_INTERNAL_PORTS =
      List.of(ZK_CLIENT, ZK_PEER, ZK_ELECTION, MESOS_MASTER, MESOS_AGENT, MARATHON);

  /**
   * One inbound TCP rule.
   *
   * @param role the role whose machines it applies to
   * @param port TCP port
   * @param source {@link #WORLD}, a CIDR, or {@link #CLUSTER_MEMBERS}
   */
  public record Rule(String role, int port, String source) {
    /** True when the rule admits anyone. */
    public boolean isWorld() {
      return WORLD.equals(source);
    }
  }

  private FirewallPlan() {}

  /**
   * The rules for a request, sorted by role, then port, then source. A port a role opens to the
   * world is not repeated as an internal rule for that role. Internal ports are never opened to the
   * world unless the role lists them as public itself.
   */
  public static List<Rule> plan(NetworkRequest request) {
    String internalSource =
        request.cidr() == null || request.cidr().isBlank() ? CLUSTER_MEMBERS : request.cidr();
    List<Integer> internal =
        request.internalPorts() == null || request.internalPorts().isEmpty()
            ? DEFAULT_INTERNAL_PORTS
            : request.internalPorts();
    Map<String, List<Integer>> byRole =
        request.publicPortsByRole() == null ? Map.of() : new TreeMap<>(request.publicPortsByRole());

    List<Rule> rules = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> e : byRole.entrySet()) {
      Set<Integer> open = new TreeSet<>(e.getValue() == null ? List.of() : e.getValue());
      for (int port : open) {
        rules.add(new Rule(e.getKey(), port, WORLD));
      }
      for (int port : new TreeSet<>(internal)) {
        if (!open.contains(port)) {
          rules.add(new Rule(e.getKey(), port, internalSource));
        }
      }
    }
    rules.sort(
        Comparator.comparing(Rule::role).thenComparingInt(Rule::port).thenComparing(Rule::source));
    return List.copyOf(rules);
  }
}
