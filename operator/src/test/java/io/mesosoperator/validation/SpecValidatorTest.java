package io.mesosoperator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.mesosoperator.api.ByonMachine;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.Providers;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {

  static RoleSpec role(String name, RoleType type, int replicas) {
    RoleSpec r = new RoleSpec();
    r.setName(name);
    r.setType(type);
    r.setReplicas(replicas);
    return r;
  }

  static MesosCluster cluster(String name, RoleSpec... roles) {
    MesosCluster c = new MesosCluster();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(name);
    c.setMetadata(meta);
    MesosClusterSpec spec = new MesosClusterSpec();
    spec.getCloud().setProvider(Providers.LOCAL);
    spec.setRoles(new ArrayList<>(Arrays.asList(roles)));
    c.setSpec(spec);
    return c;
  }

  static MesosCluster valid() {
    return cluster("demo", role("master", RoleType.MASTER, 3), role("agent", RoleType.AGENT, 3));
  }

  static List<String> paths(MesosCluster c) {
    return SpecValidator.validate(c).stream().map(ValidationError::path).toList();
  }

  static ObjectNode app(String id) {
    ObjectNode app = JsonNodeFactory.instance.objectNode();
    app.put("id", id);
    app.put("cmd", "sleep 10");
    return app;
  }

  @Test
  void aMinimalClusterIsValid() {
    assertThat(SpecValidator.validate(valid())).isEmpty();
  }

  @Test
  void everyBrokenRuleIsReportedInFieldOrder() {
    MesosCluster c = valid();
    c.getMetadata().setName("Bad_Name");
    c.getSpec().getSsh().setUser("root");
    c.getSpec().getRoles().get(0).setReplicas(4);
    c.getSpec().getRoles().get(1).setPorts(List.of(0));
    c.getSpec().getMarathon().setApps(List.of(app("$(id)")));

    assertThat(paths(c))
        .containsExactly(
            "metadata.name",
            "spec.ssh.user",
            "spec.roles[0].replicas",
            "spec.roles[1].ports[0]",
            "spec.marathon.apps[0].id");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 5, 255})
  void oddMasterCountsUpTo255AreAccepted(int n) {
    MesosCluster c = valid();
    c.getSpec().getRoles().get(0).setReplicas(n);
    assertThat(SpecValidator.validate(c)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 4, 254})
  void evenMasterCountsAreRejectedNotWarned(int n) {
    MesosCluster c = valid();
    c.getSpec().getRoles().get(0).setReplicas(n);
    assertThat(SpecValidator.validate(c))
        .containsExactly(
            new ValidationError(
                "spec.roles[0].replicas",
                "master replicas must be odd (the Mesos quorum is a strict majority); got " + n));
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 257})
  void masterCountsOutOfRangeAreRejected(int n) {
    MesosCluster c = valid();
    c.getSpec().getRoles().get(0).setReplicas(n);
    assertThat(SpecValidator.validate(c))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("between 1 and 255"));
  }

  @Test
  void agentPoolsMayBeEmptyAndUpTo1000() {
    MesosCluster c = valid();
    c.getSpec().getRoles().get(1).setReplicas(0);
    assertThat(SpecValidator.validate(c)).isEmpty();
    c.getSpec().getRoles().get(1).setReplicas(1000);
    assertThat(SpecValidator.validate(c)).isEmpty();
    c.getSpec().getRoles().get(1).setReplicas(1001);
    assertThat(paths(c)).containsExactly("spec.roles[1].replicas");
  }

  @Test
  void nodeNamesMayBeExactly63Characters() {
    // 40 + "-" + 20 + "-" + "9" = 63
    MesosCluster c =
        cluster(
            "c".repeat(40),
            role("master", RoleType.MASTER, 1),
            role("a".repeat(20), RoleType.AGENT, 10));
    assertThat(SpecValidator.validate(c)).isEmpty();
    c.getSpec().getRoles().get(1).setReplicas(11);
    assertThat(paths(c)).containsExactly("spec.roles[1].name");
  }

  @Test
  void byonMachinesMustMatchTheRoles() {
    MesosCluster c =
        cluster("onprem", role("master", RoleType.MASTER, 1), role("agent", RoleType.AGENT, 1));
    c.getSpec().getCloud().setProvider(Providers.BYON);
    c.getSpec().getCloud().getNetwork().setCidr("10.0.0.0/24");
    c.getSpec()
        .getCloud()
        .setByon(
            List.of(
                byon("m1", "master", "10.0.0.1", "2001:db8::1"),
                byon("a1", "agent", "10.0.0.2", null)));
    assertThat(SpecValidator.validate(c)).isEmpty();

    c.getSpec()
        .getCloud()
        .setByon(
            List.of(
                byon("m1", "master", "10.0.1.1", "example.com"), byon("a1", "agent", "::1", null)));
    assertThat(paths(c))
        .containsExactly(
            "spec.cloud.byon[0].privateAddress",
            "spec.cloud.byon[0].publicAddress",
            "spec.cloud.byon[1].privateAddress");
  }

  static ByonMachine byon(String id, String role, String priv, String pub) {
    ByonMachine m = new ByonMachine();
    m.setId(id);
    m.setRole(role);
    m.setPrivateAddress(priv);
    m.setPublicAddress(pub);
    return m;
  }

  @Test
  void theNetworkMustHoldEveryMachine() {
    MesosCluster c = valid(); // 6 machines
    c.getSpec().getCloud().getNetwork().setCidr("172.16.0.0/29"); // 8 - 3 = 5 usable
    assertThat(paths(c)).containsExactly("spec.cloud.network.cidr");
    c.getSpec().getRoles().get(1).setReplicas(2);
    assertThat(SpecValidator.validate(c)).isEmpty();
    c.getSpec().getCloud().getNetwork().setCidr("172.32.0.0/16"); // just outside 172.16/12
    assertThat(SpecValidator.validate(c))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("private"));
  }

  @Test
  void jcloudsProvidersNeedCredentialsOthersDoNot() {
    assertThat(Providers.KNOWN).containsAll(SpecValidator.CREDENTIALED_PROVIDERS);
    for (String provider : Providers.KNOWN) {
      MesosCluster c = valid();
      c.getSpec().getCloud().setProvider(provider);
      if (provider.equals(Providers.BYON)) {
        continue;
      }
      boolean needs = SpecValidator.CREDENTIALED_PROVIDERS.contains(provider);
      assertThat(paths(c))
          .as(provider)
          .isEqualTo(needs ? List.of("spec.cloud.credentialsSecret") : List.of());
      c.getSpec().getCloud().setCredentialsSecret("creds.v1");
      assertThat(paths(c)).as(provider).isEmpty();
    }
  }

  @Test
  void appDefinitionsAreLimitedTo256KiBOfJson() {
    MesosCluster c = valid();
    ObjectNode big = app("big");
    big.put("cmd", "x".repeat(SpecValidator.MAX_APPS_JSON_BYTES - 100));
    c.getSpec().getMarathon().setApps(List.of(big));
    assertThat(SpecValidator.validate(c)).isEmpty();
    big.put("cmd", "x".repeat(SpecValidator.MAX_APPS_JSON_BYTES));
    assertThat(paths(c)).containsExactly("spec.marathon.apps");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hello", "/hello", "/web/nginx-1", "a/b/c0", "0"})
  void marathonAppIdsAccepted(String id) {
    assertThat(SpecValidator.isAppId(id)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "a//b",
        "a/",
        "-a",
        "a-",
        "Hello",
        "$(id)",
        "..",
        "/web/../x",
        "a.b",
        "a b"
      })
  void marathonAppIdsRejected(String id) {
    assertThat(SpecValidator.isAppId(id)).isFalse();
  }

  @Test
  void hostileAppIdsDoNotBacktrackForEver() {
    String hostile = "a".repeat(1000) + "!";
    Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(2), () -> assertThat(SpecValidator.isAppId(hostile)).isFalse());
  }

  @Test
  void quantitiesMustBePositive() {
    MesosCluster c = valid();
    c.getSpec().getRoles().get(1).getMachine().setMemory(new Quantity("0"));
    c.getSpec().getRoles().get(1).getMachine().setDisk(new Quantity("20Gi"));
    assertThat(paths(c)).containsExactly("spec.roles[1].machine.memory");
  }

  @Test
  void nullsAnywhereGiveErrorsNotExceptions() {
    MesosCluster c = valid();
    c.getSpec().getRoles().add(null);
    c.getSpec().getRoles().get(1).setPorts(Arrays.asList(22, null));
    c.getSpec().setSsh(null);
    c.getSpec().setZookeeper(null);
    c.getSpec().setPackages(null);
    c.getSpec().setMarathon(null);
    assertThat(paths(c))
        .containsExactly(
            "spec.ssh",
            "spec.zookeeper",
            "spec.packages",
            "spec.roles[1].ports[1]",
            "spec.roles[2]",
            "spec.marathon");
    assertThat(SpecValidator.validate(null)).hasSize(1);
    c.setSpec(null);
    assertThat(paths(c)).containsExactly("spec");
  }

  @Test
  void messagesQuoteValuesWithoutControlCharacters() {
    MesosCluster c = valid();
    c.getSpec().getCloud().setProvider("x\u001b[31m\ny");
    String message = SpecValidator.validate(c).get(0).message();
    assertThat(message)
        .contains("\"x\\u001b[31m\\ny\"")
        .doesNotContain("\u001b")
        .doesNotContain("\n");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "10,spec.remediation.unreachableAfter,must be a duration",
    "30s,spec.remediation.unreachableAfter,must be at least 1m",
    "1d,spec.remediation.unreachableAfter,must be a duration"
  })
  void remediationDurationsAreCheckedWithTheirPath(String value, String path, String message) {
    MesosCluster c = valid();
    c.getSpec().getRemediation().setUnreachableAfter(value);
    assertThat(SpecValidator.validate(c))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.path()).isEqualTo(path);
              assertThat(e.message()).contains(message);
            });
  }

  @Test
  void remediationDefaultsAreValidAndTheLimitIsBounded() {
    MesosCluster c = valid();
    assertThat(c.getSpec().getRemediation().getUnreachableAfter()).isEqualTo("10m");
    assertThat(c.getSpec().getRemediation().getMaxConcurrent()).isEqualTo(1);
    c.getSpec().getRemediation().setUnreachableAfter("1h30m");
    c.getSpec().getRemediation().setMaxConcurrent(100);
    assertThat(SpecValidator.validate(c)).isEmpty();
    c.getSpec().getRemediation().setMaxConcurrent(0);
    assertThat(paths(c)).containsExactly("spec.remediation.maxConcurrent");
    c.getSpec().setRemediation(null);
    assertThat(paths(c)).containsExactly("spec.remediation");
  }
}
