package io.mesosoperator.cloud;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the calls made to another provider: creates, destroys, ensureNetwork and releaseNetwork
 * are "cloud mutations" (a converged reconcile should make none); lists are reads. Calls are
 * counted when made, whether they succeed or not.
 */
public final class CountingMachineProvider implements MachineProvider {

  private final MachineProvider delegate;
  private final AtomicInteger creates = new AtomicInteger();
  private final AtomicInteger destroys = new AtomicInteger();
  private final AtomicInteger ensureNetworks = new AtomicInteger();
  private final AtomicInteger releaseNetworks = new AtomicInteger();
  private final AtomicInteger lists = new AtomicInteger();

  public CountingMachineProvider(MachineProvider delegate) {
    this.delegate = delegate;
  }

  public MachineProvider delegate() {
    return delegate;
  }

  @Override
  public String cloudFirewall() {
    return delegate.cloudFirewall();
  }

  @Override
  public void ensureNetwork(NetworkRequest request) throws CloudException {
    ensureNetworks.incrementAndGet();
    delegate.ensureNetwork(request);
  }

  @Override
  public List<Machine> list(String clusterUid) throws CloudException {
    lists.incrementAndGet();
    return delegate.list(clusterUid);
  }

  @Override
  public Machine create(MachineRequest request) throws CloudException {
    creates.incrementAndGet();
    return delegate.create(request);
  }

  @Override
  public void destroy(String machineId) throws CloudException {
    destroys.incrementAndGet();
    delegate.destroy(machineId);
  }

  @Override
  public void releaseNetwork(String clusterUid) throws CloudException {
    releaseNetworks.incrementAndGet();
    delegate.releaseNetwork(clusterUid);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** create + destroy + ensureNetwork + releaseNetwork calls. */
  public int mutations() {
    return creates.get() + destroys.get() + ensureNetworks.get() + releaseNetworks.get();
  }

  public int creates() {
    return creates.get();
  }

  public int destroys() {
    return destroys.get();
  }

  public int ensureNetworks() {
    return ensureNetworks.get();
  }

  public int releaseNetworks() {
    return releaseNetworks.get();
  }

  public int lists() {
    return lists.get();
  }

  /** Sets every count back to zero. */
  public void reset() {
    creates.set(0);
    destroys.set(0);
    ensureNetworks.set(0);
    releaseNetworks.set(0);
    lists.set(0);
  }
}
