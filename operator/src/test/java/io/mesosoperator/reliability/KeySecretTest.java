package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.cloud.CountingMachineProvider;
import io.mesosoperator.reconcile.ClusterKeys;
import io.mesosoperator.reconcile.Conditions;
import io.mesosoperator.reconcile.MesosClusterReconciler;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.testing.MockApiServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets are not in the MesosCluster file, so their bad cases are operator-level: a cluster naming
 * a missing Secret, or one whose ssh-privatekey is not a usable private key, gets Ready=False with
 * reason SecretInvalid naming spec.ssh.keySecret, and nothing is created in the cloud. Fixing the
 * Secret is picked up by the resync.
 */
@MockApiServer
class KeySecretTest {
  KubernetesClient client;
  MapCloud cloud;
  CountingMachineProvider counting;
  OperatorRuntime operator;

  @BeforeEach
  void setUp() throws Exception {
    Harness.installCrds(client);
    cloud = new MapCloud();
    counting = new CountingMachineProvider(cloud);
    operator = Harness.start(client, c -> counting, null);
  }

  @AfterEach
  void tearDown() {
    operator.close();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private void secret(String name, Map<String, String> data) {
    Map<String, String> encoded = new LinkedHashMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    Secret s =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(Harness.NS)
            .endMetadata()
            .withType("kubernetes.io/ssh-auth")
            .withData(encoded)
            .build();
    client.secrets().inNamespace(Harness.NS).resource(s).createOr(e -> e.update());
  }

  private void cluster(String name, String keySecret) {
    MesosCluster c = Harness.tutorial(client);
    c.getMetadata().setName(name);
    c.getSpec().getSsh().setKeySecret(keySecret);
    client.resource(c).create();
  }

  @Test
  void badKeySecretsStopTheClusterBeforeAnyCloudCall() throws Exception {
    KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
    dsa.initialize(2048);
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    String publicKey = ClusterKeys.generate().publicKey();
    Map<String, String> cases = new LinkedHashMap<>();
    // cluster name -> what the message must say
    cases.put("missing", "not found");
    cases.put("nokey", "has no ssh-privatekey");
    cases.put("notakey", "is not an SSH private key");
    cases.put("publickey", "is a public key");
    cases.put("pempublic", "is a public key");
    cases.put("dsapkcs8", "DSA");
    cases.put("dsapem", "DSA");
    cases.put("weakrsa", "1024 bits");
    cases.put("garbledpem", "cannot be read");
    cases.put("encrypted", "encrypted");
    secret("nokey-key", Map.of("ssh-publickey", publicKey));
    secret("notakey-key", Map.of(ClusterKeys.PRIVATE_KEY, "hunter2 is not a key"));
    secret("publickey-key", Map.of(ClusterKeys.PRIVATE_KEY, publicKey));
    secret(
        "pempublic-key",
        Map.of(
            ClusterKeys.PRIVATE_KEY,
            pem("PUBLIC KEY", rsa.generateKeyPair().getPublic().getEncoded())));
    secret(
        "dsapkcs8-key",
        Map.of(
            ClusterKeys.PRIVATE_KEY,
            pem("PRIVATE KEY", dsa.generateKeyPair().getPrivate().getEncoded())));
    secret(
        "dsapem-key",
        Map.of(ClusterKeys.PRIVATE_KEY, pem("DSA PRIVATE KEY", new byte[] {48, 3, 2, 1, 0})));
    secret(
        "weakrsa-key",
        Map.of(
            ClusterKeys.PRIVATE_KEY,
            pem("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded())));
    secret(
        "garbledpem-key",
        Map.of(ClusterKeys.PRIVATE_KEY, pem("OPENSSH PRIVATE KEY", "not a key".getBytes())));
    secret(
        "encrypted-key",
        Map.of(ClusterKeys.PRIVATE_KEY, pem("ENCRYPTED PRIVATE KEY", new byte[] {48, 0})));
    for (String name : cases.keySet()) {
      cluster(name, name + "-key");
    }

    for (Map.Entry<String, String> e : cases.entrySet()) {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                MesosCluster c = Harness.get(client, e.getKey());
                assertThat(c.getStatus()).as(e.getKey()).isNotNull();
                var ready = Conditions.get(c.getStatus().getConditions(), Conditions.READY);
                assertThat(ready).as(e.getKey()).isPresent();
                assertThat(ready.get().getStatus()).isEqualTo("False");
                assertThat(ready.get().getReason())
                    .isEqualTo(MesosClusterReconciler.SECRET_INVALID);
                assertThat(ready.get().getMessage())
                    .as(e.getKey())
                    .startsWith("spec.ssh.keySecret: ")
                    .contains(e.getValue())
                    .doesNotContain("hunter2");
                assertThat(Conditions.isTrue(c.getStatus().getConditions(), Conditions.STALLED))
                    .isTrue();
              });
    }
    Harness.quiet(Duration.ofSeconds(3)); // a resync: still nothing
    assertThat(counting.mutations()).as("cloud mutations").isZero();
    assertThat(counting.lists()).as("cloud reads").isZero();
    assertThat(cloud.machines).isEmpty();
    assertThat(Harness.nodes(client)).isEmpty();

    // The user fixes one Secret: the resync picks it up and the cluster comes up.
    secret("publickey-key", Map.of(ClusterKeys.PRIVATE_KEY, ClusterKeys.generate().privateKey()));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Harness.isTrue(Harness.get(client, "publickey"), Conditions.MACHINES_READY))
                    .isTrue());
    assertThat(cloud.machines).hasSize(6);
    Figures.record(
        "key Secrets (operator)",
        new Figures.Row(
            0,
            0,
            0,
            cases.size(),
            cases.size(),
            "missing Secret, no ssh-privatekey, not a key, public keys (OpenSSH, PEM), DSA (PKCS#8,"
                + " PEM), RSA 1024, garbled and encrypted keys: SecretInvalid on spec.ssh.keySecret,"
                + " 0 cloud calls; a fixed Secret converges"));
  }
}
