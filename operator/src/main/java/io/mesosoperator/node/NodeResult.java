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
    List<NodeEvent> events) {}
