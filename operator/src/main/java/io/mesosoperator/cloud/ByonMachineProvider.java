package io.mesosoperator.cloud;

import io.mesosoperator.api.ByonMachine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * "Bring your own nodes": adopts the machines listed in {@code spec.cloud.byon}. Nothing is ever
 * provisioned and nothing is ever destroyed.
 *
 * <p>The mapping is deterministic, so it survives operator restarts without memory: node {@code
 * <cluster>-<role>-<N>} is the N-th listed machine of that role (from 0, in list order), unless a
 * listed machine of that role has the node's name as its id, which then wins. {@link #create}
 * returns that machine; {@link #list} returns the machines adopted so far by this instance (after a
 * restart it is empty until the operator asks again, and the same machines come back); {@link
 * #destroy} only forgets the adoption. Works straight from the list, without jclouds' byon api,
 * which would add a YAML round trip and nothing else.
 */
public final class ByonMachineProvider implements MachineProvider {

  private final List<ByonMachine> machines;
  private final Map<String, Machine> adopted = new LinkedHashMap<>();

  /** A provider over the listed machines. */
  public ByonMachineProvider(List<ByonMachine> machines) {
    this.machines = List.copyOf(machines == null ? List.of() : machines);
  }

  @Override
  public void ensureNetwork(NetworkRequest request) {
    // The machines exist with their network already; nothing to make.
  }

  @Override
  public synchronized List<Machine> list(String clusterUid) {
    List<Machine> out = new ArrayList<>();
    for (Machine m : adopted.values()) {
      if (Objects.equals(clusterUid, m.clusterUid())) {
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(Machine::node));
    return List.copyOf(out);
  }

  @Override
  public synchronized Machine create(MachineRequest request) throws CloudException {
    ByonMachine entry = entryFor(request.clusterName(), request.node(), request.role());
    Machine current = adopted.get(entry.getId());
    if (current != null && !current.node().equals(request.node())) {
      throw new CloudException(
          "byon machine " + entry.getId() + " already serves node " + current.node(), false);
    }
    Machine machine = toMachine(entry, request.clusterUid(), request.node());
    adopted.put(entry.getId(), machine);
    return machine;
  }

  /** Forgets the adoption. Byon machines are never destroyed: they belong to the user. */
  @Override
  public synchronized void destroy(String machineId) {
    adopted.remove(machineId);
  }

  /**
   * The listed machine for a node: the one of the role whose id is the node name, else the
   * ordinal-th one of the role.
   */
  ByonMachine entryFor(String clusterName, String node, String role) throws CloudException {
    List<ByonMachine> ofRole = new ArrayList<>();
    for (ByonMachine m : machines) {
      if (Objects.equals(role, m.getRole())) {
        ofRole.add(m);
      }
    }
    for (ByonMachine m : ofRole) {
      if (Objects.equals(node, m.getId())) {
        return m;
      }
    }
    int ordinal = ordinal(clusterName, role, node);
    if (ordinal < 0) {
      throw new CloudException(
          "byon: node " + node + " is not named " + clusterName + "-" + role + "-<ordinal>", false);
    }
    if (ordinal >= ofRole.size()) {
      throw new CloudException(
          "byon: role "
              + role
              + " lists "
              + ofRole.size()
              + " machines, none for ordinal "
              + ordinal,
          false);
    }
    return ofRole.get(ordinal);
  }

  /** The ordinal in {@code <cluster>-<role>-<N>}, or -1. */
  static int ordinal(String clusterName, String role, String node) {
    String prefix = clusterName + "-" + role + "-";
    if (node == null || !node.startsWith(prefix)) {
      return -1;
    }
    String tail = node.substring(prefix.length());
    if (tail.isEmpty() || tail.length() > 6 || !tail.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Integer.parseInt(tail);
  }

  private static Machine toMachine(ByonMachine m, String clusterUid, String node) {
    String priv = m.getPrivateAddress();
    String pub = m.getPublicAddress();
    String v6 = isV6(priv) ? priv : isV6(pub) ? pub : null;
    return new Machine(
        m.getId(), clusterUid, node, m.getRole(), Machine.State.RUNNING, priv, pub, v6, null);
  }

  private static boolean isV6(String address) {
    return address != null && address.contains(":");
  }
}
