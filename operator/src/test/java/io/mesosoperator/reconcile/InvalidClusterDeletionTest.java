package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.testing.MockApiServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster whose spec was refused from the start is deleted at once: the cloud was never asked for
 * anything, so a provider that cannot even be built (aws-ec2 without its credentials Secret) does
 * not hold the finalizer. Found on the real apiserver by ToolReadinessIT, where such a delete
 * retried "could not release the network" every 5 s for good.
 */
@MockApiServer
class InvalidClusterDeletionTest {
  KubernetesClient client;
  OperatorRuntime operator;
  final AtomicInteger resolved = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    OperatorHarness.installCrds(client);
    operator =
        OperatorHarness.start(
            client,
            c -> {
              resolved.incrementAndGet();
              throw new CloudException("connect to aws-ec2 failed: no credentials", false);
            },
            null);
  }

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aClusterRefusedFromTheStartIsDeletedAtOnce() {
    MesosCluster cluster = OperatorHarness.load(client, "tutorial-stub.yaml");
    cluster.getSpec().getCloud().setProvider("aws-ec2");
    client.resource(cluster).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              MesosCluster c = OperatorHarness.get(client, "tutorial");
              return c.getStatus() != null
                  && Conditions.isTrue(c.getStatus().getConditions(), Conditions.STALLED);
            });
    assertThat(resolved).as("no provider while the spec is refused").hasValue(0);
    assertThat(OperatorHarness.get(client, "tutorial").getMetadata().getFinalizers()).isNotEmpty();

    client
        .resources(MesosCluster.class)
        .inNamespace(OperatorHarness.NS)
        .withName("tutorial")
        .delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> OperatorHarness.get(client, "tutorial") == null);
    assertThat(OperatorHarness.nodes(client)).isEmpty();
  }
}
