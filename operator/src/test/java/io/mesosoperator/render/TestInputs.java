package io.mesosoperator.render;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Test inputs. Manifests are parsed with plain Jackson YAML here, not ManifestReader, so that
 * rendering is tested on its own.
 */
public final class TestInputs {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private TestInputs() {}

  public static MesosCluster cluster(Path file) {
    try {
      return YAML.readValue(file.toFile(), MesosCluster.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<NodeInfo> nodes(Path file) {
    try {
      return YAML.readValue(file.toFile(), new TypeReference<List<NodeInfo>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tutorial's cluster: roles "master" (3) and "slave" (3), everything else default. */
  public static MesosClusterSpec tutorialSpec() {
    return cluster(Golden.input("tutorial-3x3.yaml")).getSpec();
  }

  public static List<NodeInfo> tutorialNodes() {
    return nodes(Golden.input("tutorial-nodes.yaml"));
  }

  /** A spec built in code: one master role "m" and one agent role "a". */
  public static MesosClusterSpec spec() {
    MesosClusterSpec spec = new MesosClusterSpec();
    spec.getCloud().setProvider("stub");
    spec.setRoles(List.of(role("m", RoleType.MASTER, 3), role("a", RoleType.AGENT, 2)));
    return spec;
  }

  public static RoleSpec role(String name, RoleType type, int replicas) {
    RoleSpec role = new RoleSpec();
    role.setName(name);
    role.setType(type);
    role.setReplicas(replicas);
    return role;
  }

  public static NodeInfo master(String name, String ip, int zkId) {
    return new NodeInfo(name, "m", ip, null, null, zkId);
  }

  public static NodeInfo agent(String name, String ip) {
    return new NodeInfo(name, "a", ip, null, null, null);
  }
}
