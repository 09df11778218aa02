package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.mesos.ClusterHealth;
import io.mesosoperator.mesos.HttpTransport;
import io.mesosoperator.mesos.MarathonApps;
import io.mesosoperator.mesos.MarathonClient;
import io.mesosoperator.mesos.MarathonLeader;
import io.mesosoperator.mesos.MesosHealth;
import io.mesosoperator.mesos.SshHttpTransport;
import io.mesosoperator.mesos.ZooKeeperProbe;
import io.mesosoperator.node.SshSession;
import io.mesosoperator.node.SshSessions;
import io.mesosoperator.node.SshjSessions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Observes through an SSH session to one master, so it works without public addresses: ZooKeeper
 * {@code srvr} to every member, Mesos {@code /master/redirect} and {@code /metrics/snapshot} and
 * Marathon {@code /v2/leader} on every master, then the Marathon apps on the leader.
 */
public final class SshClusterObserver implements ClusterObserver {
  private static final int MESOS_PORT = 5050;
  private static final int MARATHON_PORT = 8080;

  private final SshSessions sessions;
  private final Duration probeTimeout;
  private final Duration deploymentTimeout;

  public SshClusterObserver() {
    this(new SshjSessions(), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  public SshClusterObserver(
      SshSessions sessions, Duration probeTimeout, Duration deploymentTimeout) {
    this.sessions = sessions;
    this.probeTimeout = probeTimeout;
    this.deploymentTimeout = deploymentTimeout;
  }

  @Override
  public Observation observe(
      MesosCluster cluster,
      List<MesosNode> masters,
      ClusterKeys.Key key,
      Map<String, String> lastApplied) {
    int desiredAgents =
        cluster.getSpec().getRoles().stream()
            .filter(r -> r.getType() == RoleType.AGENT)
            .mapToInt(r -> r.getReplicas())
            .sum();
    IOException last = null;
    for (MesosNode via : masters) {
      try (SshSession session =
          sessions.open(
              via.getStatus().getPrivateAddress(),
              cluster.getSpec().getSsh().getPort(),
              SshSessions.Login.key(
                  cluster.getSpec().getSsh().getUser(), key.privateKey(), key.publicKey()),
              via.getStatus().getHostKey())) {
        return observeThrough(session, cluster, masters, desiredAgents, lastApplied);
      } catch (IOException e) {
        last = e; // try the next master
      }
    }
    return new Observation(
        ClusterHealth.evaluate(List.of(), desiredAgents),
        List.of(),
        null,
        last == null ? "no configured master to observe through" : last.getMessage());
  }

  private Observation observeThrough(
      SshSession session,
      MesosCluster cluster,
      List<MesosNode> masters,
      int desiredAgents,
      Map<String, String> lastApplied) {
    HttpTransport http = new SshHttpTransport(session);
    ZooKeeperProbe zk = ZooKeeperProbe.overSsh(session, probeTimeout);
    int clientPort = cluster.getSpec().getZookeeper().getClientPort();
    List<ClusterHealth.MasterProbe> probes = new ArrayList<>();
    for (MesosNode m : masters) {
      String address = m.getStatus().getPrivateAddress();
      probes.add(
          new ClusterHealth.MasterProbe(
              m.getMetadata().getName(),
              zk.mode(address, clientPort),
              MesosHealth.probe(http, "http://" + address + ":" + MESOS_PORT),
              MarathonLeader.probe(http, "http://" + address + ":" + MARATHON_PORT)));
    }
    ClusterHealth.Result health = ClusterHealth.evaluate(probes, desiredAgents);
    if (!health.marathonReady().isTrue() || health.marathonLeader() == null) {
      return new Observation(health, probes, null, null);
    }
    try {
      MarathonApps.Outcome apps =
          new MarathonApps(new MarathonClient(http, "http://" + health.marathonLeader()))
              .reconcile(
                  cluster.getSpec().getMarathon().getApps(),
                  lastApplied,
                  new MarathonApps.Options(
                      cluster.getSpec().getMarathon().isPruneApps(), false, deploymentTimeout));
      return new Observation(health, probes, apps, null);
    } catch (IOException e) {
      return new Observation(health, probes, null, "Marathon: " + e.getMessage());
    }
  }
}
