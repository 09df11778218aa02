package io.mesosoperator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest under examples/ is valid, and the seed use cases say what the seeds say. */
class ExamplesTest {

  static Path examples() {
    return Path.of(System.getProperty("project.root", "..")).resolve("examples");
  }

  static Stream<Path> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.list(examples())) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  static MesosCluster read(String name) {
    ManifestReader.Result r = ManifestReader.read(examples().resolve(name));
    assertThat(r.errors()).as(name).isEmpty();
    return r.cluster();
  }

  static RoleSpec role(MesosCluster c, String name) {
    return c.getSpec().getRoles().stream()
        .filter(r -> r.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theExpectedExamplesExist() throws IOException {
    assertThat(exampleFiles().map(p -> p.getFileName().toString()))
        .contains(
            "tutorial-3x3.yaml", "plumbery-3x9.yaml", "local.yaml", "aws-ec2.yaml", "byon.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleFiles")
  void isValid(Path file) {
    ManifestReader.Result r = ManifestReader.read(file);
    assertThat(r.errors()).as(file.toString()).isEmpty();
    assertThat(r.cluster()).isNotNull();
  }

  @Test
  void tutorialIsThreeMastersThreeSlavesAndTheHelloApp() throws Exception {
    MesosCluster c = read("tutorial-3x3.yaml");
    assertThat(c.getSpec().getCloud().getProvider()).isEqualTo("digitalocean2");
    assertThat(c.getSpec().getCloud().getCredentialsSecret()).isNotBlank();
    assertThat(role(c, "master").getType()).isEqualTo(RoleType.MASTER);
    assertThat(role(c, "master").getReplicas()).isEqualTo(3);
    assertThat(role(c, "slave").getType()).isEqualTo(RoleType.AGENT);
    assertThat(role(c, "slave").getReplicas()).isEqualTo(3);
    assertThat(role(c, "master").getMachine().getImage()).contains("ubuntu");
    // Unset packages: the tutorial's repository, key and packages.
    assertThat(c.getSpec().getPackages().getRepository()).isNull();
    ObjectMapper json = new ObjectMapper();
    assertThat(c.getSpec().getMarathon().getApps())
        .containsExactly(
            (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(
                    "{\"id\":\"hello\",\"cmd\":\"echo hello; sleep 10\",\"mem\":16,\"cpus\":0.1,"
                        + "\"instances\":1,\"disk\":0.0,\"ports\":[0]}"));
  }

  @Test
  void plumberyIsThreeMastersNineAgentsWithItsFirewall() {
    MesosCluster c = read("plumbery-3x9.yaml");
    assertThat(c.getSpec().getCloud().getProvider()).isEqualTo("aws-ec2");
    assertThat(role(c, "master").getReplicas()).isEqualTo(3);
    assertThat(role(c, "master").getPorts()).containsExactly(22, 5050, 8080);
    assertThat(role(c, "agent").getReplicas()).isEqualTo(9);
    assertThat(role(c, "agent").getPorts()).containsExactly(22);
    assertThat(role(c, "agent").getMachine().getCpus())
        .isGreaterThan(role(c, "master").getMachine().getCpus());
    assertThat(c.getSpec().getOs().isUpgrade()).isTrue();
    assertThat(c.getSpec().getOs().isClockSync()).isTrue();
    assertThat(c.getSpec().getMarathon().getApps()).hasSize(1);
  }

  @Test
  void localInstallsOnlyZooKeeperFromNoExtraRepository() {
    MesosCluster c = read("local.yaml");
    assertThat(c.getSpec().getCloud().getProvider()).isEqualTo("local");
    assertThat(c.getSpec().getCloud().getNetwork().getCidr()).isEqualTo("10.213.0.0/24");
    assertThat(c.getSpec().getPackages().getRepository()).isEmpty();
    assertThat(c.getSpec().getPackages().getMaster()).containsExactly("zookeeper", "zookeeperd");
    assertThat(c.getSpec().getPackages().getAgent()).isEmpty();
  }

  @Test
  void byonAdoptsFiveListedMachines() {
    MesosCluster c = read("byon.yaml");
    assertThat(c.getSpec().getCloud().getByon()).hasSize(5);
    assertThat(c.getSpec().getCloud().getByon())
        .allSatisfy(m -> assertThat(m.getPrivateAddress()).startsWith("10.0.0."));
    assertThat(c.getSpec().getRoles()).extracting(RoleSpec::getReplicas).isEqualTo(List.of(3, 2));
  }
}
