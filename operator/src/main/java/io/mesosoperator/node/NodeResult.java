package io.mesosoperator.node;

import java.util.List;

/**
 * What one configuration pass observed and did.
 *
 * @param reachable the Reachable condition
 * @param configured the Configured condition
 * @param servicesRunning the ServicesRunning condition
 * @param hostKey host key fingerprint the node presented (SHA256:...), or null if not reached
 * @param configDigest digest of the configuration now on the node, or null
 * @param changes number of changes made (files written, packages installed, services restarted)
 * @param restarts number of services restarted
 * @param roundTrips SSH commands sent
 * @param events events to record
 * @param firewall the FirewallApplied condition: whether the host firewall is loaded, as this pass
 *     saw or made it; null when the pass did not get that far
 */
public record NodeResult(
    ConditionState reachable,
    ConditionState configured,
    ConditionState servicesRunning,
    String hostKey,
    String configDigest,
    int changes,
    int restarts,
    int roundTrips,
    List<NodeEvent> events,
    ConditionState firewall) {

  /** A result that says nothing about the host firewall. */
  public NodeResult(
      ConditionState reachable,
      ConditionState configured,
      ConditionState servicesRunning,
      String hostKey,
      String configDigest,
      int changes,
      int restarts,
      int roundTrips,
      List<NodeEvent> events) {
    this(
        reachable,
        configured,
        servicesRunning,
        hostKey,
        configDigest,
        changes,
        restarts,
        roundTrips,
        events,
        null);
  }
}
