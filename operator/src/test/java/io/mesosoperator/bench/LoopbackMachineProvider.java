package io.mesosoperator.bench;

import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.LoginCredentials;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.NetworkRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Machines from another provider (jclouds' stub) whose private address is a simulated node's
 * loopback address: each new machine gets the next free simulated node, which learns the first
 * login the cloud handed out. The mapping is by machine id, so listing after an operator restart
 * still finds the same addresses.
 */
final class LoopbackMachineProvider implements MachineProvider {
  private final MachineProvider delegate;
  private final SimulatedNodes nodes;
  private final Map<String, String> addressById = new ConcurrentHashMap<>();

  LoopbackMachineProvider(MachineProvider delegate, SimulatedNodes nodes) {
    this.delegate = delegate;
    this.nodes = nodes;
  }

  @Override
  public void ensureNetwork(NetworkRequest request) throws CloudException {
    delegate.ensureNetwork(request);
  }

  @Override
  public List<Machine> list(String clusterUid) throws CloudException {
    List<Machine> out = new ArrayList<>();
    for (Machine m : delegate.list(clusterUid)) {
      out.add(withAddress(m, addressById.get(m.id()), m.initialLogin()));
    }
    return out;
  }

  @Override
  public Machine create(MachineRequest request) throws CloudException {
    Machine m = delegate.create(request);
    SimulatedNodes.Node node = nodes.allocate();
    LoginCredentials login = m.initialLogin();
    if (login == null || login.password() == null) {
      login = new LoginCredentials("ubuntu", UUID.randomUUID().toString(), null);
    }
    try {
      node.provision(login.user(), login.password());
    } catch (IOException e) {
      throw new CloudException("simulated node " + node.address + ": " + e.getMessage(), true);
    }
    addressById.put(m.id(), node.address);
    return withAddress(m, node.address, login);
  }

  @Override
  public void destroy(String machineId) throws CloudException {
    delegate.destroy(machineId);
  }

  @Override
  public void releaseNetwork(String clusterUid) throws CloudException {
    delegate.releaseNetwork(clusterUid);
  }

  @Override
  public void close() {
    delegate.close();
  }

  private static Machine withAddress(Machine m, String address, LoginCredentials login) {
    return new Machine(
        m.id(), m.clusterUid(), m.node(), m.role(), m.state(), address, null, null, login);
  }
}
