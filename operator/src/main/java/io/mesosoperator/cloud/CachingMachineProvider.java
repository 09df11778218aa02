package io.mesosoperator.cloud;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Shares one cloud listing per cluster among the node reconciles of a pass: without it every node
 * lists the whole cluster, a thousand calls per pass for a thousand nodes, which real clouds
 * rate-limit. Any create or destroy invalidates the listing, and a listing that raced with one is
 * not kept, so a node never decides on a listing older than its own last change.
 */
public final class CachingMachineProvider implements MachineProvider {
  private final MachineProvider delegate;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong changes = new AtomicLong();
  private final Map<String, Listing> listings = new ConcurrentHashMap<>();

  private record Listing(List<Machine> machines, long at, long changes) {}

  public CachingMachineProvider(MachineProvider delegate, Duration ttl) {
    this(delegate, ttl, System::nanoTime);
  }

  CachingMachineProvider(MachineProvider delegate, Duration ttl, LongSupplier nanoTime) {
    this.delegate = delegate;
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The provider underneath. */
  public MachineProvider delegate() {
    return delegate;
  }

  @Override
  public String cloudFirewall() {
    return delegate.cloudFirewall();
  }

  @Override
  public void ensureNetwork(NetworkRequest request) throws CloudException {
    delegate.ensureNetwork(request);
  }

  @Override
  public List<Machine> list(String clusterUid) throws CloudException {
    long now = nanoTime.getAsLong();
    Listing cached = listings.get(clusterUid);
    if (cached != null && cached.changes() == changes.get() && now - cached.at() < ttlNanos) {
      return cached.machines();
    }
    long before = changes.get();
    List<Machine> machines = List.copyOf(delegate.list(clusterUid));
    if (changes.get() == before) {
      listings.put(clusterUid, new Listing(machines, now, before));
    }
    return machines;
  }

  @Override
  public Machine create(MachineRequest request) throws CloudException {
    changes.incrementAndGet();
    try {
      return delegate.create(request);
    } finally {
      changes.incrementAndGet();
    }
  }

  @Override
  public void destroy(String machineId) throws CloudException {
    changes.incrementAndGet();
    try {
      delegate.destroy(machineId);
    } finally {
      changes.incrementAndGet();
    }
  }

  @Override
  public void releaseNetwork(String clusterUid) throws CloudException {
    delegate.releaseNetwork(clusterUid);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
