package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.mesos.ClusterHealth;
import io.mesosoperator.mesos.MarathonApps;
import java.util.List;
import java.util.Map;

/**
 * Reads the cluster's health from real signals (ZooKeeper modes, the Mesos and Marathon leaders,
 * registered agents) and keeps the Marathon apps deployed.
 */
public interface ClusterObserver {

  /**
   * What was observed.
   *
   * @param health the verdict
   * @param probes what each master answered
   * @param apps the app reconcile, or null when Marathon was not ready for it
   * @param error why observing failed, or null
   */
  record Observation(
      ClusterHealth.Result health,
      List<ClusterHealth.MasterProbe> probes,
      MarathonApps.Outcome apps,
      String error) {}

  /**
   * Observes through one of the masters.
   *
   * @param cluster the cluster
   * @param masters configured master nodes with addresses and pinned host keys
   * @param key the admin's key
   * @param lastApplied digests of the apps the operator deployed, by id
   */
  Observation observe(
      MesosCluster cluster,
      List<MesosNode> masters,
      ClusterKeys.Key key,
      Map<String, String> lastApplied);
}
