package io.mesosoperator.bench;

import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.NodeResult;
import io.mesosoperator.node.NodeTarget;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** Counts what each configuration pass did, per node and in total. */
final class CountingNodeConfigurer implements NodeConfigurer {
  private final NodeConfigurer delegate;
  private final Map<String, AtomicInteger> passesByNode = new ConcurrentHashMap<>();
  private final Map<String, Boolean> configured = new ConcurrentHashMap<>();
  private final Map<String, Finished> lastFinished = new ConcurrentHashMap<>();
  final AtomicLong passes = new AtomicLong();
  final AtomicLong roundTrips = new AtomicLong();
  final AtomicLong changes = new AtomicLong();
  final AtomicLong restarts = new AtomicLong();
  final AtomicLong busyNanos = new AtomicLong();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();

  CountingNodeConfigurer(NodeConfigurer delegate) {
    this.delegate = delegate;
  }

  @Override
  public NodeResult configure(NodeTarget target, Function<NodeFacts, NodeConfig> desired) {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    long t0 = System.nanoTime();
    try {
      NodeResult r = delegate.configure(target, desired);
      passes.incrementAndGet();
      roundTrips.addAndGet(r.roundTrips());
      changes.addAndGet(r.changes());
      restarts.addAndGet(r.restarts());
      configured.put(target.node(), r.configured().isTrue());
      passesByNode.computeIfAbsent(target.node(), k -> new AtomicInteger()).incrementAndGet();
      lastFinished.put(
          target.node(),
          new Finished(t0, System.nanoTime(), r.configured().isTrue(), r.changes(), r.restarts()));
      return r;
    } finally {
      busyNanos.addAndGet(System.nanoTime() - t0);
      inFlight.decrementAndGet();
    }
  }

  /** A node's last finished pass: when it started and ended ({@link System#nanoTime}), its end. */
  record Finished(long startNanos, long endNanos, boolean configured, int changes, int restarts) {}

  /**
   * Whether each of {@code nodes} finished a pass that started at or after {@code sinceNanos} (and,
   * when {@code configured}, ended Configured=True).
   */
  boolean allPassedSince(java.util.Collection<String> nodes, long sinceNanos, boolean configured) {
    return nodes.stream()
        .allMatch(
            n -> {
              Finished f = lastFinished.get(n);
              return f != null
                  && f.startNanos() - sinceNanos >= 0
                  && (!configured || f.configured());
            });
  }

  /** The last finished pass of each node (a copy). */
  Map<String, Finished> lastFinished() {
    return Map.copyOf(lastFinished);
  }

  /** Nodes whose last pass ended Configured=True. */
  long configuredNodes() {
    return configured.values().stream().filter(b -> b).count();
  }

  /** Passes per node so far (a copy). */
  Map<String, Integer> passesByNode() {
    Map<String, Integer> copy = new java.util.HashMap<>();
    passesByNode.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  /** What the counters read at one moment. */
  record Snapshot(long passes, long roundTrips, long changes, long restarts, long busyNanos) {
    Snapshot minus(Snapshot o) {
      return new Snapshot(
          passes - o.passes,
          roundTrips - o.roundTrips,
          changes - o.changes,
          restarts - o.restarts,
          busyNanos - o.busyNanos);
    }
  }

  Snapshot snapshot() {
    return new Snapshot(
        passes.get(), roundTrips.get(), changes.get(), restarts.get(), busyNanos.get());
  }
}
