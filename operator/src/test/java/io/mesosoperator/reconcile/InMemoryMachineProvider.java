package io.mesosoperator.reconcile;

import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.NetworkRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A cloud in a map, for reconciler tests: counts every mutation. */
final class InMemoryMachineProvider implements MachineProvider {
  final Map<String, Machine> machines = new ConcurrentHashMap<>();
  final AtomicInteger mutations = new AtomicInteger();
  private final AtomicInteger next = new AtomicInteger(1);

  @Override
  public void ensureNetwork(NetworkRequest request) {
    mutations.incrementAndGet();
  }

  @Override
  public List<Machine> list(String clusterUid) {
    return new ArrayList<>(
        machines.values().stream().filter(m -> m.clusterUid().equals(clusterUid)).toList());
  }

  @Override
  public Machine create(MachineRequest request) throws CloudException {
    mutations.incrementAndGet();
    int n = next.getAndIncrement();
    Machine m =
        new Machine(
            "m-" + n,
            request.clusterUid(),
            request.node(),
            request.role(),
            Machine.State.RUNNING,
            "10.0.0." + n,
            null,
            null,
            null);
    machines.put(m.id(), m);
    return m;
  }

  @Override
  public void destroy(String machineId) {
    mutations.incrementAndGet();
    machines.remove(machineId);
  }
}
