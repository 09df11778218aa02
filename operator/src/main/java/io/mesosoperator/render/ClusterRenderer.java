package io.mesosoperator.render;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.Quorum;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.api.ZooKeeperSpec;
import io.mesosoperator.api.ZooKeeperUrl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The files and settings every node of a cluster must have. Pure: no I/O, no clock, no randomness;
 * the same inputs always give the same {@link NodeConfig}.
 *
 * <p>The files the tutorial shows ({@code /etc/mesos/zk}, {@code myid}, {@code quorum}, {@code ip},
 * {@code hostname}, Marathon's {@code conf/*}, the Upstart overrides) are reproduced byte for byte:
 * one value and a newline, as {@code echo X | sudo tee FILE} writes them.
 */
public final class ClusterRenderer {

  public static final String ZK = "/etc/mesos/zk";
  public static final String HOSTNAME = "/etc/hostname";
  public static final String HOSTS = "/etc/hosts";
  public static final String SSHD_CONFIG = "/etc/ssh/sshd_config";
  public static final String APT_SOURCE = "/etc/apt/sources.list.d/mesos-operator.list";
  public static final String ZK_MYID = "/etc/zookeeper/conf/myid";
  public static final String ZOO_CFG = "/etc/zookeeper/conf/zoo.cfg";
  public static final String MASTER_QUORUM = "/etc/mesos-master/quorum";
  public static final String MASTER_IP = "/etc/mesos-master/ip";
  public static final String MASTER_HOSTNAME = "/etc/mesos-master/hostname";
  public static final String MASTER_WORK_DIR = "/etc/mesos-master/work_dir";
  public static final String MARATHON_HOSTNAME = "/etc/marathon/conf/hostname";
  public static final String MARATHON_MASTER = "/etc/marathon/conf/master";
  public static final String MARATHON_ZK = "/etc/marathon/conf/zk";
  public static final String SLAVE_IP = "/etc/mesos-slave/ip";
  public static final String SLAVE_HOSTNAME = "/etc/mesos-slave/hostname";
  public static final String SLAVE_ATTRIBUTES = "/etc/mesos-slave/attributes";

  public static final String ZOOKEEPER = "zookeeper";
  public static final String MESOS_MASTER = "mesos-master";
  public static final String MARATHON = "marathon";
  public static final String MESOS_SLAVE = "mesos-slave";
  public static final String CHRONY = "chrony";

  /** Debian and Ubuntu name the OpenSSH server's service {@code ssh}, not {@code sshd}. */
  public static final String SSH = "ssh";

  private ClusterRenderer() {}

  /**
   * What the operator decided a master runs with while the masters are scaled (see {@code
   * plan/MasterScaling}); {@link #DEFAULT} everywhere else.
   *
   * @param quorum the Mesos quorum, or null for a strict majority of the masters in the node list
   * @param ensemble ZooKeeper ids of the ensemble members this master lists (zoo.cfg, ZooKeeper
   *     URLs), or null for every master in the node list
   * @param fenced stop and disable ZooKeeper, mesos-master and Marathon for good
   * @param logEpoch above 0: mesos-master uses the fresh work_dir {@code
   *     /var/lib/mesos/log-epoch-<n>}, an empty replicated log
   */
  public record MasterSettings(
      Integer quorum, List<Integer> ensemble, boolean fenced, int logEpoch) {
    public static final MasterSettings DEFAULT = new MasterSettings(null, null, false, 0);
  }

  /** The work directory (so the replicated log) of a log epoch; 0 is the package default. */
  public static String workDir(int logEpoch) {
    return logEpoch <= 0 ? "/var/lib/mesos" : "/var/lib/mesos/log-epoch-" + logEpoch;
  }

  /**
   * Everything one node must have.
   *
   * @param spec the cluster's spec
   * @param nodes every node of the cluster (masters need a zkId)
   * @param node the node to render, one of {@code nodes}
   * @param facts what the node's image is
   * @throws IllegalArgumentException when the node's role is not in the spec or a master has no
   *     ZooKeeper id (check inputs with {@link NodeListValidator} first)
   */
  public static NodeConfig render(
      MesosClusterSpec spec, List<NodeInfo> nodes, NodeInfo node, NodeFacts facts) {
    return render(spec, nodes, node, facts, MasterSettings.DEFAULT);
  }

  /**
   * Everything one node must have, with a master's effective quorum and ensemble.
   *
   * @param settings for masters: quorum, ensemble membership, fencing and log epoch; ignored for
   *     agents, which list every master in the node list
   */
  public static NodeConfig render(
      MesosClusterSpec spec,
      List<NodeInfo> nodes,
      NodeInfo node,
      NodeFacts facts,
      MasterSettings settings) {
    if (settings == null) {
      settings = MasterSettings.DEFAULT;
    }
    RoleSpec role = roleOf(spec, node);
    RoleType type = role.getType();
    List<ManagedFile> files = new ArrayList<>();

    files.add(ManagedFile.whole(HOSTNAME, line(node.name())));
    files.add(block(HOSTS, ManagedFile.Kind.BLOCK_END, hostsBlock(nodes)));
    if (spec.getSsh().isHarden()) {
      // At the top: sshd takes the first value it reads, and a block there works on every
      // OpenSSH (14.04's has no Include).
      files.add(
          block(
              SSHD_CONFIG,
              ManagedFile.Kind.BLOCK_START,
              "PasswordAuthentication no\n"
                  + "PermitRootLogin no\n"
                  + "ChallengeResponseAuthentication no\n"));
    }
    // A master lists the ensemble it was told to (one member changes at a time while masters
    // scale); agents list every master.
    List<NodeInfo> members =
        type == RoleType.MASTER ? members(spec, nodes, settings) : masters(spec, nodes);
    String mesosZk = zkUrl(spec, members, "/mesos");
    files.add(ManagedFile.whole(ZK, line(mesosZk)));

    List<String> services = new ArrayList<>();
    List<String> disabled;
    Map<String, List<String>> triggers = new LinkedHashMap<>();
    if (spec.getOs().isClockSync()) {
      services.add(CHRONY);
    }

    String advertised = node.advertisedAddress();
    if (type == RoleType.MASTER) {
      files.add(ManagedFile.whole(ZK_MYID, line(String.valueOf(zkIdOf(node)))));
      files.add(ManagedFile.whole(ZOO_CFG, zooCfg(spec, members)));
      int quorum =
          settings.quorum() != null ? settings.quorum() : quorum(masters(spec, nodes).size());
      files.add(ManagedFile.whole(MASTER_QUORUM, line(String.valueOf(quorum))));
      files.add(ManagedFile.whole(MASTER_IP, line(node.privateAddress())));
      files.add(ManagedFile.whole(MASTER_HOSTNAME, line(advertised)));
      List<String> masterTriggers =
          new ArrayList<>(List.of(ZK, MASTER_QUORUM, MASTER_IP, MASTER_HOSTNAME));
      if (settings.logEpoch() > 0) {
        // A fresh work_dir is an empty replicated log; the old one stays on disk untouched.
        files.add(ManagedFile.whole(MASTER_WORK_DIR, line(workDir(settings.logEpoch()))));
        masterTriggers.add(MASTER_WORK_DIR);
      }
      files.add(ManagedFile.whole(MARATHON_HOSTNAME, line(advertised)));
      files.add(ManagedFile.whole(MARATHON_MASTER, line(mesosZk)));
      files.add(ManagedFile.whole(MARATHON_ZK, line(zkUrl(spec, members, "/marathon"))));
      if (settings.fenced()) {
        // Fenced for good: nothing of the master may run again on this machine.
        disabled = List.of(ZOOKEEPER, MESOS_MASTER, MARATHON, MESOS_SLAVE);
      } else {
        services.addAll(List.of(ZOOKEEPER, MESOS_MASTER, MARATHON));
        disabled = List.of(MESOS_SLAVE);
      }
      triggers.put(ZOOKEEPER, List.of(ZK_MYID, ZOO_CFG));
      triggers.put(MESOS_MASTER, List.copyOf(masterTriggers));
      triggers.put(MARATHON, List.of(MARATHON_HOSTNAME, MARATHON_MASTER, MARATHON_ZK));
    } else {
      files.add(ManagedFile.whole(SLAVE_IP, line(node.privateAddress())));
      files.add(ManagedFile.whole(SLAVE_HOSTNAME, line(advertised)));
      List<String> slaveTriggers = new ArrayList<>(List.of(ZK, SLAVE_IP, SLAVE_HOSTNAME));
      String attributes = attributes(role);
      if (attributes != null) {
        files.add(ManagedFile.whole(SLAVE_ATTRIBUTES, line(attributes)));
        slaveTriggers.add(SLAVE_ATTRIBUTES);
      }
      services.add(MESOS_SLAVE);
      disabled = List.of(ZOOKEEPER, MESOS_MASTER);
      triggers.put(MESOS_SLAVE, List.copyOf(slaveTriggers));
    }
    if (spec.getSsh().isHarden()) {
      triggers.put(SSH, List.of(SSHD_CONFIG));
    }
    if (facts.init() == InitStyle.UPSTART) {
      // Upstart reads "manual" in X.override as "do not start at boot"; systemd and sysvinit
      // have no file for this, the applier runs their disable command instead.
      for (String service : disabled) {
        files.add(ManagedFile.whole("/etc/init/" + service + ".override", "manual\n"));
      }
    }

    HostFirewall firewall = HostFirewall.of(spec, role, nodes);
    files.add(
        new ManagedFile(
            HostFirewall.PATH, firewall.nft(), "0644", "root:root", ManagedFile.Kind.WHOLE));

    return new NodeConfig(
        node.name(),
        type,
        node.name(),
        List.copyOf(files),
        aptSource(spec, facts),
        packages(spec, role),
        spec.getOs().isUpgrade(),
        spec.getOs().isClockSync(),
        List.copyOf(services),
        disabled,
        Collections.unmodifiableMap(triggers),
        firewall);
  }

  /** Renders every node with the same facts, in the order of {@code nodes}. */
  public static List<NodeConfig> renderAll(
      MesosClusterSpec spec, List<NodeInfo> nodes, NodeFacts facts) {
    return nodes.stream().map(n -> render(spec, nodes, n, facts)).toList();
  }

  /** The Mesos quorum for a number of masters: a strict majority (1→1, 3→2, 5→3). */
  public static int quorum(int masters) {
    if (masters < 1) {
      throw new IllegalArgumentException("a cluster needs at least one master, got " + masters);
    }
    return Quorum.majority(masters);
  }

  /**
   * The ZooKeeper URL of the ensemble: the masters' private addresses ordered by ZooKeeper id.
   *
   * @param path the znode, for example {@code /mesos} (a missing leading slash is added)
   */
  public static String zkUrl(MesosClusterSpec spec, List<NodeInfo> nodes, String path) {
    return ZooKeeperUrl.of(
        masters(spec, nodes).stream().map(NodeInfo::privateAddress).toList(),
        spec.getZookeeper().getClientPort(),
        path);
  }

  /** The masters a master lists: those in its ensemble, or all of them by default. */
  static List<NodeInfo> members(
      MesosClusterSpec spec, List<NodeInfo> nodes, MasterSettings settings) {
    List<NodeInfo> all = masters(spec, nodes);
    if (settings.ensemble() == null) {
      return all;
    }
    return all.stream().filter(m -> settings.ensemble().contains(zkIdOf(m))).toList();
  }

  /** The masters among {@code nodes}, ordered by ZooKeeper id. */
  public static List<NodeInfo> masters(MesosClusterSpec spec, List<NodeInfo> nodes) {
    return nodes.stream()
        .filter(n -> roleOf(spec, n).getType() == RoleType.MASTER)
        .sorted(Comparator.comparingInt(ClusterRenderer::zkIdOf))
        .toList();
  }

  /** The role a node serves. */
  public static RoleSpec roleOf(MesosClusterSpec spec, NodeInfo node) {
    return spec.getRoles().stream()
        .filter(r -> r.getName() != null && r.getName().equals(node.role()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "node " + node.name() + ": role " + node.role() + " is not in spec.roles"));
  }

  /**
   * SHA-256 (lower-case hex) of a canonical form of everything in the config: equal configs give
   * equal digests, any change to a file, package, service or setting changes it.
   */
  public static String digest(NodeConfig config) {
    StringBuilder b = new StringBuilder("mesos-operator/node-config/v1\n");
    field(b, "node", config.node());
    field(b, "roleType", config.roleType() == null ? null : config.roleType().value());
    field(b, "hostname", config.hostname());
    for (ManagedFile f : config.files()) {
      field(b, "file.path", f.path());
      field(b, "file.mode", f.mode());
      field(b, "file.owner", f.owner());
      field(b, "file.kind", f.kind().name());
      field(b, "file.content", f.content());
    }
    AptSource apt = config.aptSource();
    if (apt != null) {
      field(b, "apt.path", apt.path());
      field(b, "apt.line", apt.line());
      field(b, "apt.keyId", apt.keyId());
      field(b, "apt.keyServer", apt.keyServer());
    }
    config.packages().forEach(p -> field(b, "package", p));
    field(b, "upgrade", String.valueOf(config.upgrade()));
    field(b, "clockSync", String.valueOf(config.clockSync()));
    config.services().forEach(s -> field(b, "service", s));
    config.disabledServices().forEach(s -> field(b, "disabled", s));
    // Sorted so that map implementations with another iteration order digest the same.
    new TreeMap<>(config.restartTriggers())
        .forEach(
            (service, paths) -> {
              field(b, "trigger.service", service);
              paths.forEach(p -> field(b, "trigger.path", p));
            });
    return sha256Hex(b.toString());
  }

  /** SHA-256 of the UTF-8 bytes of a text, lower-case hex. */
  public static String sha256Hex(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  // Length-prefixed, so no value can imitate a field boundary.
  private static void field(StringBuilder b, String name, String value) {
    b.append(name).append(' ');
    if (value == null) {
      b.append("-1\n");
    } else {
      b.append(value.length()).append(' ').append(value).append('\n');
    }
  }

  private static String line(String value) {
    return value + "\n";
  }

  private static ManagedFile block(String path, ManagedFile.Kind kind, String content) {
    return new ManagedFile(path, content, "0644", "root:root", kind);
  }

  private static int zkIdOf(NodeInfo node) {
    if (node.zkId() == null) {
      throw new IllegalArgumentException("master node " + node.name() + " has no zkId");
    }
    return node.zkId();
  }

  /** One line per address of every node, sorted by node name; IPv6 after IPv4. */
  static String hostsBlock(List<NodeInfo> nodes) {
    StringBuilder b = new StringBuilder();
    nodes.stream()
        .sorted(Comparator.comparing(NodeInfo::name))
        .forEach(
            n -> {
              b.append(n.privateAddress()).append(' ').append(n.name()).append('\n');
              if (n.ipv6Address() != null && !n.ipv6Address().isBlank()) {
                b.append(n.ipv6Address()).append(' ').append(n.name()).append('\n');
              }
            });
    return b.toString();
  }

  private static String zooCfg(MesosClusterSpec spec, List<NodeInfo> nodes) {
    ZooKeeperSpec zk = spec.getZookeeper();
    StringBuilder b = new StringBuilder();
    b.append("# Managed by mesos-operator: local changes are overwritten.\n");
    b.append("tickTime=2000\n");
    b.append("initLimit=10\n");
    b.append("syncLimit=5\n");
    b.append("# The Debian/Ubuntu package reads myid through dataDir: /var/lib/zookeeper/myid\n");
    b.append("# is the package's symlink to /etc/zookeeper/conf/myid.\n");
    b.append("dataDir=/var/lib/zookeeper\n");
    b.append("clientPort=").append(zk.getClientPort()).append('\n');
    b.append("# ZooKeeper 3.5+ answers only the four-letter words listed here.\n");
    b.append("4lw.commands.whitelist=srvr,mntr,ruok,stat\n");
    b.append("# AdminServer (3.5+) moved off 8080, where Marathon listens; 3.4 ignores it.\n");
    b.append("admin.serverPort=").append(zk.getAdminPort()).append('\n');
    for (NodeInfo m : masters(spec, nodes)) {
      b.append("server.")
          .append(zkIdOf(m))
          .append('=')
          .append(m.privateAddress())
          .append(':')
          .append(zk.getPeerPort())
          .append(':')
          .append(zk.getElectionPort())
          .append('\n');
    }
    return b.toString();
  }

  /** {@code k1:v1;k2:v2} sorted by key, or null when the role has no attributes. */
  static String attributes(RoleSpec role) {
    Map<String, String> attributes = role.getAttributes();
    if (attributes == null || attributes.isEmpty()) {
      return null;
    }
    return new TreeMap<>(attributes)
        .entrySet().stream()
            .map(e -> e.getKey() + ":" + e.getValue())
            .collect(Collectors.joining(";"));
  }

  static AptSource aptSource(MesosClusterSpec spec, NodeFacts facts) {
    String repository = spec.getPackages().repositoryOrDefault();
    if (repository.isEmpty()) {
      return null;
    }
    String line =
        repository.replace("{distro}", facts.distro()).replace("{codename}", facts.codename());
    String keyId = spec.getPackages().keyIdOrDefault();
    return new AptSource(
        APT_SOURCE,
        line,
        keyId.isEmpty() ? null : keyId,
        keyId.isEmpty() ? null : spec.getPackages().keyServerOrDefault());
  }

  static List<String> packages(MesosClusterSpec spec, RoleSpec role) {
    List<String> chosen =
        new ArrayList<>(
            role.getPackages() != null
                ? role.getPackages()
                : spec.getPackages().forType(role.getType()));
    boolean hasChrony =
        chosen.stream().anyMatch(p -> p.equals(CHRONY) || p.startsWith(CHRONY + "="));
    if (spec.getOs().isClockSync() && !hasChrony) {
      chosen.add(CHRONY);
    }
    // nft loads the host firewall every node gets.
    if (chosen.stream()
        .noneMatch(
            p -> p.equals(HostFirewall.PACKAGE) || p.startsWith(HostFirewall.PACKAGE + "="))) {
      chosen.add(HostFirewall.PACKAGE);
    }
    return List.copyOf(chosen);
  }
}
