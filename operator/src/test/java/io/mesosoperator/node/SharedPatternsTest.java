package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.validation.ManifestReader;
import io.mesosoperator.validation.SpecValidator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Validation and the SSH layer's last check before a remote command use one set of patterns: a
 * value the validator accepts reaches the node (a version with {@code _}, as Mesosphere's {@code
 * 1.4.0-2.0.1_ubuntu1404} has, once passed validation and was refused on the node), and one it
 * refuses is refused by both.
 */
class SharedPatternsTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));

  @ParameterizedTest
  @ValueSource(
      strings = {"mesos=1.4.0-2.0.1_ubuntu1404", "marathon=1.4.7-1.0.660.ubuntu1404", "mesos"})
  void aPackageTheValidatorAcceptsReachesTheNode(String pkg) {
    MesosCluster cluster = withMasterPackage(pkg);
    assertThat(SpecValidator.validate(cluster)).isEmpty();
    assertThat(invalidOnTheNode(cluster.getSpec(), cluster.getMetadata().getName())).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-mesos", "mesos=1.0 --force", "Mesos", "mesos=$(id)"})
  void aPackageTheValidatorRefusesIsRefusedOnTheNodeToo(String pkg) {
    MesosCluster cluster = withMasterPackage(pkg);
    assertThat(SpecValidator.validate(cluster))
        .anySatisfy(e -> assertThat(e.path()).isEqualTo("spec.packages.master[0]"));
    assertThat(invalidOnTheNode(cluster.getSpec(), cluster.getMetadata().getName()))
        .contains("invalid package name");
  }

  private static MesosCluster withMasterPackage(String pkg) {
    MesosCluster cluster =
        ManifestReader.read(ROOT.resolve("examples/tutorial-3x3.yaml")).cluster();
    cluster.getSpec().getPackages().setMaster(List.of(pkg));
    return cluster;
  }

  private static String invalidOnTheNode(MesosClusterSpec spec, String cluster) {
    List<NodeInfo> nodes =
        List.of(
            new NodeInfo(cluster + "-master-0", "master", "10.0.0.1", null, null, 1),
            new NodeInfo(cluster + "-master-1", "master", "10.0.0.2", null, null, 2),
            new NodeInfo(cluster + "-master-2", "master", "10.0.0.3", null, null, 3));
    NodeConfig config =
        ClusterRenderer.render(
            spec, nodes, nodes.get(0), new NodeFacts("ubuntu", "trusty", InitStyle.UPSTART));
    NodeTarget target =
        new NodeTarget(
            config.node(),
            "10.0.0.1",
            22,
            spec.getSsh().getUser(),
            null,
            null,
            null,
            null,
            true,
            false,
            false);
    return SshNodeConfigurer.invalid(target, List.of(config));
  }
}
