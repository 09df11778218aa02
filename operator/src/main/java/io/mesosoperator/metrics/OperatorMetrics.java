package io.mesosoperator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The project's own metrics, next to JOSDK's: per-node health so a dashboard watches every node
 * whatever the cloud, and the counters that show what the operator does (drift repairs, SSH round
 * trips, reconcile durations). Names are the ones the shipped Grafana dashboard reads.
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Metrics kept in memory only (tests, CLI). */
  public static OperatorMetrics inMemory() {
    return new OperatorMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A node's health after a configuration pass. */
  public void node(
      String cluster, String node, boolean reachable, boolean configured, boolean servicesUp) {
    Tags tags = Tags.of("cluster", cluster, "node", node);
    set("mesos.operator.node.reachable", tags, reachable ? 1 : 0);
    set("mesos.operator.node.configured", tags, configured ? 1 : 0);
    set("mesos.operator.node.services.up", tags, servicesUp ? 1 : 0);
  }

  /** Node count of a role in a state (ready, notready). */
  public void nodes(String cluster, String role, String state, int count) {
    set("mesos.operator.nodes", Tags.of("cluster", cluster, "role", role, "state", state), count);
  }

  /** ZooKeeper mode of a master: 1 for its current mode, 0 for the others. */
  public void zooKeeperMode(String cluster, String node, String mode) {
    for (String m : new String[] {"leader", "follower", "standalone", "not_serving", "unknown"}) {
      set(
          "mesos.operator.zookeeper.mode",
          Tags.of("cluster", cluster, "node", node, "mode", m),
          m.equals(mode) ? 1 : 0);
    }
  }

  /** Whether a master leads Mesos. */
  public void mesosLeader(String cluster, String node, boolean leader) {
    set("mesos.operator.mesos.leader", Tags.of("cluster", cluster, "node", node), leader ? 1 : 0);
  }

  public void driftRepaired(String cluster, String node) {
    Counter.builder("mesos.operator.drift.repairs")
        .description("Managed files restored after a hand edit")
        .tags("cluster", cluster, "node", node)
        .register(registry)
        .increment();
  }

  public void sshRoundTrips(String cluster, int count) {
    Counter.builder("mesos.operator.ssh.roundtrips")
        .description("SSH commands sent to nodes")
        .tags("cluster", cluster)
        .register(registry)
        .increment(count);
  }

  public void reconciled(String kind, Duration took) {
    Timer.builder("mesos.operator.reconcile")
        .description("Duration of one reconcile")
        .tags("kind", kind)
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  private void set(String name, Tags tags, long value) {
    String key = name + tags;
    gauges
        .computeIfAbsent(
            key,
            k -> {
              AtomicLong holder = new AtomicLong();
              Gauge.builder(name, holder, AtomicLong::doubleValue).tags(tags).register(registry);
              return holder;
            })
        .set(value);
  }

  /** Current value of a gauge, for tests. */
  public Long gauge(String name, Tags tags) {
    AtomicLong v = gauges.get(name + tags);
    return v == null ? null : v.get();
  }
}
