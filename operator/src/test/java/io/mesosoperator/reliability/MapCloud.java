package io.mesosoperator.reliability;

import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.LoginCredentials;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.NetworkRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A cloud in a map. Addresses come from {@link #addresses} (so a test can make the cloud return
 * hostile ones) and every machine may come with first-login credentials, as jclouds returns them.
 */
final class MapCloud implements MachineProvider {
  final Map<String, Machine> machines = new ConcurrentHashMap<>();
  final List<NetworkRequest> networks = new CopyOnWriteArrayList<>();
  private final AtomicInteger next = new AtomicInteger(1);
  volatile IntFunction<String> addresses = n -> "10.0.0." + n;
  volatile LoginCredentials initialLogin;

  @Override
  public void ensureNetwork(NetworkRequest request) {
    networks.add(request);
  }

  @Override
  public List<Machine> list(String clusterUid) {
    return new ArrayList<>(
        machines.values().stream().filter(m -> m.clusterUid().equals(clusterUid)).toList());
  }

  @Override
  public Machine create(MachineRequest request) throws CloudException {
    int n = next.getAndIncrement();
    Machine m =
        new Machine(
            "m-" + n,
            request.clusterUid(),
            request.node(),
            request.role(),
            Machine.State.RUNNING,
            addresses.apply(n),
            null,
            null,
            initialLogin);
    machines.put(m.id(), m);
    return m;
  }

  @Override
  public void destroy(String machineId) {
    machines.remove(machineId);
  }
}
