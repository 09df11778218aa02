package io.mesosoperator.plan;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: which MesosNodes a cluster must have, given the spec and what exists: every master of a new
 * cluster, and agents; masters of a running cluster are added and removed by {@link MasterScaling}.
 * Node names are stable ({@code <cluster>-<role>-<ordinal>}); ZooKeeper ids are kept for as long as
 * their node (or its ensemble entry) exists and are never handed to another node meanwhile.
 */
public final class ClusterTopology {
  public static final int MAX_ZK_ID = 255;

  private ClusterTopology() {}

  /**
   * A node as it exists.
   *
   * @param name node name
   * @param role role name
   * @param type role type
   * @param ordinal ordinal in the role
   * @param zkId ZooKeeper id, or null
   */
  public record Existing(String name, String role, RoleType type, int ordinal, Integer zkId) {}

  /**
   * A node to create.
   *
   * @param name node name
   * @param role role name
   * @param type role type
   * @param ordinal ordinal in the role
   * @param zkId ZooKeeper id for masters, else null
   */
  public record Wanted(String name, String role, RoleType type, int ordinal, Integer zkId) {}

  /**
   * The outcome.
   *
   * @param create nodes to create
   * @param delete node names to delete, highest ordinals first
   * @param masterRefusal why a master change is refused, or null
   */
  public record Plan(List<Wanted> create, List<String> delete, String masterRefusal) {
    public boolean isEmpty() {
      return create.isEmpty() && delete.isEmpty();
    }
  }

  /** The node name for a role ordinal. */
  public static String nodeName(String cluster, String role, int ordinal) {
    return cluster + "-" + role + "-" + ordinal;
  }

  /**
   * Plans the node set.
   *
   * @param cluster cluster name
   * @param spec the (valid) spec
   * @param existing nodes that exist, including ones being deleted
   * @param ensemble ZooKeeper ids recorded in the cluster's status, by node name
   */
  public static Plan plan(
      String cluster,
      MesosClusterSpec spec,
      List<Existing> existing,
      Map<String, Integer> ensemble) {
    Map<String, Existing> byName = new HashMap<>();
    existing.forEach(e -> byName.put(e.name(), e));
    Set<Integer> usedIds = new HashSet<>(ensemble.values());
    existing.stream().map(Existing::zkId).filter(id -> id != null).forEach(usedIds::add);

    List<Wanted> create = new ArrayList<>();
    List<Existing> delete = new ArrayList<>();
    String refusal = null;

    RoleSpec masterRole =
        spec.getRoles().stream().filter(r -> r.getType() == RoleType.MASTER).findFirst().get();
    long existingMasters = existing.stream().filter(e -> e.type() == RoleType.MASTER).count();
    // Only a cluster without masters gets all of them at once; changing the count of existing
    // masters is MasterScaling's one gated step at a time.
    int masters = existingMasters == 0 ? masterRole.getReplicas() : 0;
    boolean masterRoleRenamed =
        existing.stream()
            .anyMatch(e -> e.type() == RoleType.MASTER && !e.role().equals(masterRole.getName()));
    if (masterRoleRenamed) {
      refusal = "renaming the master role is not supported; the masters are left as they are";
    }

    for (RoleSpec role : spec.getRoles()) {
      boolean master = role.getType() == RoleType.MASTER;
      if (master && masterRoleRenamed) {
        continue;
      }
      int replicas = master ? masters : role.getReplicas();
      for (int ordinal = 0; ordinal < replicas; ordinal++) {
        String name = nodeName(cluster, role.getName(), ordinal);
        if (byName.containsKey(name)) {
          continue;
        }
        Integer zkId = null;
        if (master) {
          zkId = ensemble.get(name);
          if (zkId == null) {
            zkId = lowestFree(usedIds);
          }
          usedIds.add(zkId);
        }
        create.add(new Wanted(name, role.getName(), role.getType(), ordinal, zkId));
      }
    }

    Map<String, RoleSpec> roles = new HashMap<>();
    spec.getRoles().forEach(r -> roles.put(r.getName(), r));
    for (Existing e : existing) {
      if (e.type() == RoleType.MASTER) {
        continue; // masters are never removed here: master scaling is its own, gated step
      }
      RoleSpec role = roles.get(e.role());
      if (role == null || role.getType() != RoleType.AGENT || e.ordinal() >= role.getReplicas()) {
        delete.add(e);
      }
    }
    delete.sort(
        Comparator.comparing(Existing::role)
            .thenComparing(Comparator.comparingInt(Existing::ordinal).reversed()));
    return new Plan(create, delete.stream().map(Existing::name).toList(), refusal);
  }

  private static int lowestFree(Set<Integer> used) {
    for (int id = 1; id <= MAX_ZK_ID; id++) {
      if (!used.contains(id)) {
        return id;
      }
    }
    throw new IllegalStateException("no free ZooKeeper id in 1.." + MAX_ZK_ID);
  }
}
