package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.Ports;
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
  private static final int MESOS_PORT = Ports.MESOS_MASTER;
  private static final int MARATHON_PORT = Ports.MARATHON;

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
    // The first master that answers is the vantage point. When its view is partial (a ZooKeeper
    // member it cannot reach or that does not serve), that master may be the one cut off: the
    // other masters are asked too and the view that sees the most serving members is reported
    // (a master cut off from its peers must not make the whole cluster look down).
    IOException last = null;
    MesosNode best = null;
    List<ClusterHealth.MasterProbe> bestProbes = null;
    for (MesosNode via : masters) {
      try (SshSession session = open(cluster, via, key)) {
        List<ClusterHealth.MasterProbe> probes = probe(session, cluster, masters);
        if (bestProbes == null || serving(probes) > serving(bestProbes)) {
          best = via;
          bestProbes = probes;
        }
        if (serving(probes) == masters.size()) {
          return finish(session, cluster, probes, desiredAgents, lastApplied);
        }
      } catch (IOException e) {
        last = e; // try the next master
      }
    }
    if (best != null) {
      try (SshSession session = open(cluster, best, key)) {
        return finish(session, cluster, bestProbes, desiredAgents, lastApplied);
      } catch (IOException e) {
        return new Observation(
            ClusterHealth.evaluate(bestProbes, desiredAgents), bestProbes, null, e.getMessage());
      }
    }
    return new Observation(
        ClusterHealth.evaluate(List.of(), desiredAgents),
        List.of(),
        null,
        last == null ? "no configured master to observe through" : last.getMessage());
  }

  private SshSession open(MesosCluster cluster, MesosNode via, ClusterKeys.Key key)
      throws IOException {
    return sessions.open(
        via.getStatus().getPrivateAddress(),
        cluster.getSpec().getSsh().getPort(),
        SshSessions.Login.key(
            cluster.getSpec().getSsh().getUser(), key.privateKey(), key.publicKey()),
        via.getStatus().getHostKey());
  }

  /** ZooKeeper members that serve in this view. */
  static int serving(List<ClusterHealth.MasterProbe> probes) {
    return (int)
        probes.stream().filter(p -> p.zooKeeper() != null && p.zooKeeper().serving()).count();
  }

  /** Every master's ZooKeeper, Mesos and Marathon, as seen from the session's master. */
  private List<ClusterHealth.MasterProbe> probe(
      SshSession session, MesosCluster cluster, List<MesosNode> masters) {
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
    return probes;
  }

  /** The verdict on those probes, then the Marathon apps through the same session. */
  private Observation finish(
      SshSession session,
      MesosCluster cluster,
      List<ClusterHealth.MasterProbe> probes,
      int desiredAgents,
      Map<String, String> lastApplied) {
    HttpTransport http = new SshHttpTransport(session);
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
