package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.render.HostFirewall;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The cluster's NetworkReady condition from what was actually enforced: the cloud firewall the
 * provider made (or that it has none) and on how many nodes the host firewall is loaded, as their
 * FirewallApplied conditions say. Pure.
 */
final class NetworkStatus {
  /** Reason while some node's host firewall is not loaded. */
  static final String PENDING = "HostFirewallPending";

  /** Reason when everything is enforced and the public ports are limited to allowedSources. */
  static final String ENFORCED = "Enforced";

  /** Reason (and warning event) when Mesos or Marathon ports are open to anyone. */
  static final String OPEN_TO_ALL = "PublicPortsOpenToAll";

  private NetworkStatus() {}

  /**
   * NetworkReady once the cloud part is done.
   *
   * @param cloudFirewall what the provider enforces in the cloud, or null when it has no firewall
   * @param desired machines the spec asks for
   */
  static ConditionState condition(
      MesosClusterSpec spec, List<MesosNode> nodes, int desired, String cloudFirewall) {
    long loaded =
        nodes.stream()
            .filter(
                n ->
                    n.getStatus() != null
                        && Conditions.isTrue(
                            n.getStatus().getConditions(), Conditions.FIREWALL_APPLIED))
            .count();
    String cloud =
        cloudFirewall == null
            ? "no cloud firewall (the provider has none the operator can set; the host firewall"
                + " is the firewall)"
            : "cloud firewall: " + cloudFirewall;
    String message = cloud + "; host firewall loaded on " + loaded + " of " + desired + " nodes";
    String exposure = exposure(spec);
    if (exposure != null) {
      message += "; " + exposure;
    }
    if (loaded < desired || nodes.size() < desired) {
      return ConditionState.isFalse(PENDING, message);
    }
    return ConditionState.isTrue(exposure == null ? ENFORCED : OPEN_TO_ALL, message);
  }

  /**
   * What is open to anyone that runs commands for anyone (Mesos, Marathon), or null when nothing
   * is.
   */
  static String exposure(MesosClusterSpec spec) {
    List<String> open = new ArrayList<>();
    for (RoleSpec role : spec.getRoles()) {
      List<Integer> ports = HostFirewall.of(spec, role, List.of()).exposedToAll();
      if (!ports.isEmpty()) {
        open.add(
            "role "
                + role.getName()
                + " port "
                + ports.stream().map(String::valueOf).collect(Collectors.joining(", ")));
      }
    }
    if (open.isEmpty()) {
      return null;
    }
    return "open to anyone without authentication: "
        + String.join("; ", open)
        + " (Mesos and Marathon run commands on the agents for whoever reaches them; limit them"
        + " with spec.cloud.network.allowedSources)";
  }
}
