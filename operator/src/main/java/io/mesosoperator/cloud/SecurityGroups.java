package io.mesosoperator.cloud;

import com.google.common.collect.ImmutableMultimap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jclouds.compute.domain.SecurityGroup;
import org.jclouds.compute.extensions.SecurityGroupExtension;
import org.jclouds.domain.Location;
import org.jclouds.domain.LocationScope;
import org.jclouds.net.domain.IpPermission;
import org.jclouds.net.domain.IpProtocol;

/**
 * The cloud firewall of a cluster through jclouds' {@link SecurityGroupExtension} (aws-ec2 has it;
 * digitalocean2 and google-compute-engine as wired here do not): one cluster-wide group that admits
 * all traffic between the cluster's machines, and one group per role that admits the role's public
 * ports from {@code allowedSources} (or anywhere). Every machine gets the cluster group and its
 * role's group.
 *
 * <p>{@link #desired} is pure; {@link #ensure} adds what is missing and removes rules a role group
 * no longer wants, so a second call with the same request changes nothing.
 */
final class SecurityGroups {
  /** Anywhere, IPv4. */
  static final String WORLD = "0.0.0.0/0";

  /** A group the operator wants and its rules; {@code self} rules admit the group's members. */
  record Wanted(String name, List<Rule> rules) {}

  /**
   * One ingress rule.
   *
   * @param protocol TCP, UDP or ICMP
   * @param from first port (ICMP: -1)
   * @param to last port (ICMP: -1)
   * @param cidr source range, or null for the group's own members
   */
  record Rule(IpProtocol protocol, int from, int to, String cidr) {}

  private SecurityGroups() {}

  /** The cluster group's name: {@code mc-<uid8>-cluster}. */
  static String clusterGroup(String clusterUid) {
    return JcloudsMachineProvider.groupFor(clusterUid) + "-cluster";
  }

  /** A role's group name: {@code mc-<uid8>-role-<role>}. */
  static String roleGroup(String clusterUid, String role) {
    return JcloudsMachineProvider.groupFor(clusterUid)
        + "-role-"
        + role.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "-");
  }

  /** The groups and rules a request wants, cluster group first, then roles by name. */
  static List<Wanted> desired(NetworkRequest request) {
    List<Wanted> out = new ArrayList<>();
    out.add(
        new Wanted(
            clusterGroup(request.clusterUid()),
            List.of(
                new Rule(IpProtocol.TCP, 0, 65535, null),
                new Rule(IpProtocol.UDP, 0, 65535, null),
                new Rule(IpProtocol.ICMP, -1, -1, null))));
    List<String> sources =
        request.allowedSources() == null || request.allowedSources().isEmpty()
            ? List.of(WORLD)
            : new ArrayList<>(new TreeSet<>(request.allowedSources()));
    Map<String, List<Integer>> byRole =
        request.publicPortsByRole() == null
            ? Map.of()
            : new java.util.TreeMap<>(request.publicPortsByRole());
    for (Map.Entry<String, List<Integer>> e : byRole.entrySet()) {
      List<Rule> rules = new ArrayList<>();
      for (int port : new TreeSet<>(e.getValue() == null ? List.<Integer>of() : e.getValue())) {
        for (String cidr : sources) {
          rules.add(new Rule(IpProtocol.TCP, port, port, cidr));
        }
      }
      out.add(new Wanted(roleGroup(request.clusterUid(), e.getKey()), List.copyOf(rules)));
    }
    return List.copyOf(out);
  }

  /** One line for status: what {@link #ensure} keeps in the cloud for a request. */
  static String describe(NetworkRequest request) {
    List<Wanted> wanted = desired(request);
    StringBuilder b =
        new StringBuilder("security group ")
            .append(wanted.get(0).name())
            .append(" admits all traffic between the cluster's machines");
    for (Wanted w : wanted.subList(1, wanted.size())) {
      Set<Integer> ports = new TreeSet<>();
      Set<String> cidrs = new TreeSet<>();
      w.rules()
          .forEach(
              r -> {
                ports.add(r.from());
                cidrs.add(r.cidr());
              });
      b.append("; ")
          .append(w.name())
          .append(" admits tcp ")
          .append(ports.stream().map(String::valueOf).reduce((x, y) -> x + "," + y).orElse("-"))
          .append(" from ")
          .append(String.join(",", cidrs));
    }
    return b.toString();
  }

  /**
   * Makes the groups match the request: creates missing groups, adds missing rules, removes rules a
   * role group no longer wants. Returns the number of calls that changed something.
   */
  static int ensure(SecurityGroupExtension ext, Location location, NetworkRequest request) {
    int changes = 0;
    Map<String, SecurityGroup> existing = byName(ext.listSecurityGroupsInLocation(location));
    for (Wanted w : desired(request)) {
      SecurityGroup group = existing.get(w.name());
      if (group == null) {
        group = ext.createSecurityGroup(w.name(), location);
        changes++;
      }
      Set<IpPermission> want = new java.util.HashSet<>();
      for (Rule r : w.rules()) {
        want.add(permission(r, group));
      }
      for (IpPermission p : want) {
        if (!covered(p, group.getIpPermissions())) {
          group = ext.addIpPermission(p, group);
          changes++;
        }
      }
      for (IpPermission p : Set.copyOf(group.getIpPermissions())) {
        if (!covered(p, want)) {
          group = ext.removeIpPermission(p, group);
          changes++;
        }
      }
    }
    return changes;
  }

  /** Removes every group of the cluster; returns how many. */
  static int release(SecurityGroupExtension ext, String clusterUid) {
    String prefix = JcloudsMachineProvider.groupFor(clusterUid) + "-";
    int removed = 0;
    for (SecurityGroup g : ext.listSecurityGroups()) {
      String name = plainName(g);
      if (name != null
          && name.startsWith(prefix)
          && (name.endsWith("-cluster") || name.contains("-role-"))) {
        if (ext.removeSecurityGroup(g.getId())) {
          removed++;
        }
      }
    }
    return removed;
  }

  /** The region a group lives in: the location, or the region above a zone. */
  static Location region(Location location) {
    Location l = location;
    while (l != null && l.getScope() != LocationScope.REGION && l.getParent() != null) {
      if (l.getParent().getScope() == LocationScope.PROVIDER) {
        break;
      }
      l = l.getParent();
    }
    return l == null ? location : l;
  }

  private static IpPermission permission(Rule r, SecurityGroup group) {
    IpPermission.Builder b =
        IpPermission.builder().ipProtocol(r.protocol()).fromPort(r.from()).toPort(r.to());
    if (r.cidr() == null) {
      b.groupId(group.getId());
    } else {
      b.cidrBlock(r.cidr());
    }
    return b.tenantIdGroupNamePairs(ImmutableMultimap.of()).build();
  }

  /** Whether some permission of {@code in} admits what {@code p} admits (same ports, sources). */
  private static boolean covered(IpPermission p, Iterable<IpPermission> in) {
    for (IpPermission q : in) {
      if (q.getIpProtocol() == p.getIpProtocol()
          && q.getFromPort() == p.getFromPort()
          && q.getToPort() == p.getToPort()
          && q.getCidrBlocks().containsAll(p.getCidrBlocks())
          && q.getGroupIds().containsAll(p.getGroupIds())) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, SecurityGroup> byName(Set<SecurityGroup> groups) {
    Map<String, SecurityGroup> out = new LinkedHashMap<>();
    for (SecurityGroup g : groups) {
      String name = plainName(g);
      if (name != null) {
        out.put(name, g);
      }
    }
    return out;
  }

  /** The group's name without a provider prefix such as jclouds' {@code jclouds#}. */
  private static String plainName(SecurityGroup g) {
    String name = g.getName();
    if (name == null) {
      return null;
    }
    int hash = name.lastIndexOf('#');
    return hash < 0 ? name : name.substring(hash + 1);
  }
}
