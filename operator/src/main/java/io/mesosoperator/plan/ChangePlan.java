package io.mesosoperator.plan;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeFiles;
import io.mesosoperator.render.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Pure: what changing a cluster's spec would do, for an offline review (the CLI's {@code plan},
 * like {@code terraform plan}): replica changes per role, then per node the files written, the
 * packages installed and the services restarted.
 */
public final class ChangePlan {
  private ChangePlan() {}

  /**
   * Plans the change from {@code current} (null: a new cluster) to {@code next}.
   *
   * @param nodes the nodes as they are (name, role, addresses, ZooKeeper ids)
   */
  public static List<String> plan(
      MesosClusterSpec current, MesosClusterSpec next, List<NodeInfo> nodes, NodeFacts facts) {
    List<String> lines = new ArrayList<>();
    for (RoleSpec role : next.getRoles()) {
      RoleSpec before = current == null ? null : role(current, role.getName());
      int was = before == null ? 0 : before.getReplicas();
      if (was != role.getReplicas()) {
        String line = "role " + role.getName() + ": replicas " + was + " -> " + role.getReplicas();
        if (role.getType() == RoleType.MASTER && was != 0) {
          line += " (refused by the operator: master scaling is a gated step of its own)";
        } else if (role.getReplicas() > was) {
          line += " (+" + (role.getReplicas() - was) + " machines)";
        } else {
          line += " (-" + (was - role.getReplicas()) + " machines, highest ordinals first)";
        }
        lines.add(line);
      }
    }
    if (current != null) {
      for (RoleSpec role : current.getRoles()) {
        if (role(next, role.getName()) == null) {
          lines.add("role " + role.getName() + ": removed (-" + role.getReplicas() + " machines)");
        }
      }
    }
    for (NodeInfo node : nodes) {
      if (role(next, node.role()) == null) {
        continue;
      }
      NodeConfig after = ClusterRenderer.render(next, nodes, node, facts);
      NodeConfig was =
          current == null || role(current, node.role()) == null
              ? null
              : ClusterRenderer.render(current, nodes, node, facts);
      lines.addAll(nodeChanges(node.name(), was, after));
    }
    if (lines.isEmpty()) {
      lines.add("no changes");
    }
    return lines;
  }

  private static List<String> nodeChanges(String node, NodeConfig was, NodeConfig after) {
    List<String> lines = new ArrayList<>();
    Map<String, String> before = was == null ? Map.of() : NodeFiles.tree(was);
    Set<String> written = new LinkedHashSet<>();
    NodeFiles.tree(after)
        .forEach(
            (path, text) -> {
              if (!Objects.equals(before.get(path), text)) {
                written.add(path);
                lines.add(node + ": write " + path);
              }
            });
    List<String> oldPackages = was == null ? List.of() : was.packages();
    after.packages().stream()
        .filter(p -> !oldPackages.contains(p))
        .forEach(p -> lines.add(node + ": install " + p));
    for (String service : after.services()) {
      List<String> triggers = after.restartTriggers().getOrDefault(service, List.of());
      if (triggers.stream().anyMatch(written::contains)) {
        lines.add(node + ": restart " + service);
      }
    }
    return lines;
  }

  private static RoleSpec role(MesosClusterSpec spec, String name) {
    return spec.getRoles().stream().filter(r -> name.equals(r.getName())).findFirst().orElse(null);
  }
}
