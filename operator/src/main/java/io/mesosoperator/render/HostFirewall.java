package io.mesosoperator.render;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.Ports;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.api.ZooKeeperSpec;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One node's host firewall, as pure data, and the nftables file that loads it.
 *
 * <p>Inbound TCP is dropped unless a rule accepts it: loopback, established and related traffic and
 * ICMP always; the SSH port from the address the operator's session comes from (the applier adds
 * that address to the {@code operator4}/{@code operator6} set in the same transaction); the role's
 * public ports from {@link #publicSources} (empty: anywhere); the role's cluster-internal ports
 * from {@link #internalSources} only. Outbound traffic is not filtered.
 *
 * @param role role name, for the file's comment
 * @param roleType master or agent
 * @param sshPort the port sshd listens on and the operator connects to
 * @param publicPorts the role's public ports, sorted and distinct
 * @param publicSources CIDRs allowed to reach the public ports; empty means anywhere
 * @param internalPorts ports (or ranges {@code a-b}) the cluster uses inside, sorted
 * @param internalSources the cluster's private range, or each node's private address
 */
public record HostFirewall(
    String role,
    RoleType roleType,
    int sshPort,
    List<Integer> publicPorts,
    List<String> publicSources,
    List<String> internalPorts,
    List<String> internalSources) {

  /** The file the operator writes and loads with {@code nft -f}. */
  public static final String PATH = "/etc/mesos-operator/firewall.nft";

  /** The nftables table the operator owns; nothing else of the node's rule set is touched. */
  public static final String TABLE = "mesos_operator";

  /** The package that brings {@code nft}. */
  public static final String PACKAGE = "nftables";

  /** mesos-master's port. */
  public static final int MESOS_MASTER_PORT = Ports.MESOS_MASTER;

  /** mesos-slave's port. */
  public static final int MESOS_AGENT_PORT = Ports.MESOS_AGENT;

  /** Marathon's port. */
  public static final int MARATHON_PORT = Ports.MARATHON;

  /** The Mesos agent's default task port range ({@code ports:[31000-32000]}). */
  public static final String TASK_PORTS = "31000-32000";

  private static final Pattern IPV4_CIDR =
      Pattern.compile("^([0-9]{1,3}\\.){3}[0-9]{1,3}(/([0-9]|[12][0-9]|3[0-2]))?$");

  public HostFirewall {
    publicPorts = List.copyOf(new TreeSet<>(publicPorts));
    publicSources = List.copyOf(publicSources);
    internalPorts = List.copyOf(internalPorts);
    internalSources = List.copyOf(internalSources);
  }

  /**
   * The firewall of one node of a role.
   *
   * @param nodes every node of the cluster; their private addresses are the internal sources when
   *     the spec names no private range
   */
  public static HostFirewall of(MesosClusterSpec spec, RoleSpec role, List<NodeInfo> nodes) {
    List<String> allowed =
        spec.getCloud().getNetwork() == null
                || spec.getCloud().getNetwork().getAllowedSources() == null
            ? List.of()
            : spec.getCloud().getNetwork().getAllowedSources();
    String cidr =
        spec.getCloud().getNetwork() == null ? null : spec.getCloud().getNetwork().getCidr();
    List<String> internalSources;
    if (cidr != null && !cidr.isBlank()) {
      internalSources = List.of(cidr);
    } else {
      internalSources =
          nodes.stream()
              .map(NodeInfo::privateAddress)
              .filter(a -> a != null && !a.isBlank())
              .distinct()
              .sorted()
              .toList();
    }
    return new HostFirewall(
        role.getName(),
        role.getType(),
        spec.getSsh().getPort(),
        role.portsOrDefault(),
        allowed.stream().distinct().sorted().toList(),
        internalPorts(spec.getZookeeper(), role.getType()),
        internalSources);
  }

  /**
   * The ports a role needs open to the rest of the cluster: ZooKeeper's client, peer and election
   * ports, mesos-master and Marathon on masters; mesos-slave and the task port range on agents.
   */
  public static List<String> internalPorts(ZooKeeperSpec zk, RoleType type) {
    TreeSet<Integer> ports = new TreeSet<>();
    List<String> out = new ArrayList<>();
    if (type == RoleType.MASTER) {
      ports.addAll(
          List.of(
              zk.getClientPort(),
              zk.getPeerPort(),
              zk.getElectionPort(),
              MESOS_MASTER_PORT,
              MARATHON_PORT));
      ports.forEach(p -> out.add(String.valueOf(p)));
    } else {
      out.add(String.valueOf(MESOS_AGENT_PORT));
      out.add(TASK_PORTS);
    }
    return List.copyOf(out);
  }

  /** Whether the public ports are open to anyone. */
  public boolean publicToAll() {
    return publicSources.isEmpty();
  }

  /** The public ports that expose Mesos or Marathon (which run commands for anyone) to all. */
  public List<Integer> exposedToAll() {
    if (!publicToAll()) {
      return List.of();
    }
    return publicPorts.stream()
        .filter(p -> p == MESOS_MASTER_PORT || p == MARATHON_PORT || p == MESOS_AGENT_PORT)
        .toList();
  }

  /**
   * Whether these rules accept a new TCP connection from {@code source} to {@code port}, with
   * {@code operator} in the operator set (the applier puts the session's address there). Evaluated
   * as nftables would: the first accepting rule wins, the policy drops the rest.
   */
  public boolean admits(String source, int port, String operator) {
    BigInteger[] src = parse(source);
    if (src == null) {
      return false;
    }
    if (isLoopback(source)) {
      return true;
    }
    if (port == sshPort && operator != null && source.equals(operator)) {
      return true;
    }
    if (publicPorts.contains(port)
        && (publicSources.isEmpty() || publicSources.stream().anyMatch(c -> contains(c, source)))) {
      return true;
    }
    boolean internalPort = internalPorts.stream().anyMatch(r -> inRange(r, port));
    return internalPort && internalSources.stream().anyMatch(c -> contains(c, source));
  }

  /**
   * Why loading these rules would drop the operator's own SSH session, or null when it would not.
   *
   * @param sessionSource the session's source address as the node sees it, or null when unknown
   * @param sessionPort the node's local port of the session, or 0 when unknown
   */
  public String lockoutRefusal(String sessionSource, int sessionPort) {
    if (sessionSource == null || sessionSource.isBlank() || parse(sessionSource) == null) {
      return "the node did not report the source address of the operator's SSH session"
          + " (SSH_CONNECTION), so the host firewall could drop it; not loading it";
    }
    int port = sessionPort > 0 ? sessionPort : sshPort;
    // The session's address goes into the operator set only for the SSH port.
    if (!admits(sessionSource, port, sessionSource)) {
      return "the host firewall would drop the operator's SSH session from "
          + sessionSource
          + " to port "
          + port
          + " (it admits the operator on port "
          + sshPort
          + ", spec.ssh.port); not loading it";
    }
    return null;
  }

  /** The nftables file: one transaction that replaces the operator's table whole. */
  public String nft() {
    StringBuilder b = new StringBuilder();
    b.append("# Managed by mesos-operator: local changes are overwritten.\n");
    b.append("# Host firewall of role ")
        .append(role)
        .append(" (")
        .append(roleType == null ? "?" : roleType.value())
        .append("). Loaded with nft -f, which is one transaction: the table\n");
    b.append("# is replaced whole or not at all. The operator adds its SSH session's address to\n");
    b.append("# the operator4/operator6 set in the same transaction.\n");
    b.append("table inet ").append(TABLE).append('\n');
    b.append("delete table inet ").append(TABLE).append('\n');
    b.append("table inet ").append(TABLE).append(" {\n");
    b.append("\tset operator4 {\n\t\ttype ipv4_addr\n\t}\n");
    b.append("\tset operator6 {\n\t\ttype ipv6_addr\n\t}\n");
    b.append("\tchain input {\n");
    b.append("\t\ttype filter hook input priority filter; policy drop;\n");
    b.append("\t\tiif \"lo\" accept\n");
    b.append("\t\tct state established,related accept\n");
    b.append("\t\tct state invalid drop\n");
    b.append("\t\tmeta l4proto { icmp, ipv6-icmp } accept\n");
    b.append("\t\tip saddr @operator4 tcp dport ").append(sshPort).append(" accept\n");
    b.append("\t\tip6 saddr @operator6 tcp dport ").append(sshPort).append(" accept\n");
    String pub = set(publicPorts.stream().map(String::valueOf).toList());
    if (!publicPorts.isEmpty()) {
      if (publicSources.isEmpty()) {
        b.append("\t\ttcp dport ").append(pub).append(" accept\n");
      } else {
        sourced(b, publicSources, pub);
      }
    }
    if (!internalPorts.isEmpty() && !internalSources.isEmpty()) {
      sourced(b, internalSources, set(internalPorts));
    }
    b.append("\t}\n");
    b.append("}\n");
    return b.toString();
  }

  private static void sourced(StringBuilder b, List<String> sources, String ports) {
    List<String> v4 = sources.stream().filter(s -> s.indexOf(':') < 0).toList();
    List<String> v6 = sources.stream().filter(s -> s.indexOf(':') >= 0).toList();
    if (!v4.isEmpty()) {
      b.append("\t\tip saddr ").append(set(v4)).append(" tcp dport ").append(ports);
      b.append(" accept\n");
    }
    if (!v6.isEmpty()) {
      b.append("\t\tip6 saddr ").append(set(v6)).append(" tcp dport ").append(ports);
      b.append(" accept\n");
    }
  }

  private static String set(List<String> items) {
    return "{ " + items.stream().collect(Collectors.joining(", ")) + " }";
  }

  private static boolean inRange(String range, int port) {
    int dash = range.indexOf('-');
    if (dash < 0) {
      return Integer.parseInt(range) == port;
    }
    return port >= Integer.parseInt(range.substring(0, dash))
        && port <= Integer.parseInt(range.substring(dash + 1));
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.equals("::1");
  }

  /** Whether the CIDR (or single address) contains the address; families must match. */
  static boolean contains(String cidr, String address) {
    int slash = cidr.indexOf('/');
    String base = slash < 0 ? cidr : cidr.substring(0, slash);
    BigInteger[] net = parse(base);
    BigInteger[] ip = parse(address);
    if (net == null || ip == null || !net[1].equals(ip[1])) {
      return false;
    }
    int bits = net[1].intValue();
    int prefix = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
    if (prefix < 0 || prefix > bits) {
      return false;
    }
    int shift = bits - prefix;
    return net[0].shiftRight(shift).equals(ip[0].shiftRight(shift));
  }

  /** {value, bits} of an IP literal, or null; never resolves a name. */
  private static BigInteger[] parse(String address) {
    if (address == null || address.isEmpty()) {
      return null;
    }
    boolean v4 = IPV4_CIDR.matcher(address).matches() && address.indexOf('/') < 0;
    boolean v6 = !v4 && address.indexOf(':') >= 0 && address.matches("^[0-9A-Fa-f:.]{2,45}$");
    if (!v4 && !v6) {
      return null;
    }
    try {
      byte[] raw = InetAddress.getByName(address).getAddress();
      return new BigInteger[] {new BigInteger(1, raw), BigInteger.valueOf(raw.length * 8L)};
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
