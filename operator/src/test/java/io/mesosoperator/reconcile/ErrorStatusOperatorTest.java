package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.node.NoopNodeConfigurer;
import io.mesosoperator.testing.MockApiServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pass that ends with an exception is recorded by the framework's error status handler, through
 * the one status frame, and cleared by the next pass that completes.
 */
@MockApiServer
class ErrorStatusOperatorTest {
  private static final String NODE = "tutorial-slave-0";
  KubernetesMockServer server;
  KubernetesClient client;
  private OperatorRuntime operator;
  private final AtomicBoolean broken = new AtomicBoolean(true);

  @BeforeEach
  void setUp() throws Exception {
    OperatorHarness.installCrds(client);
    InMemoryMachineProvider cloud = new InMemoryMachineProvider();
    NoopNodeConfigurer noop = new NoopNodeConfigurer();
    operator =
        OperatorHarness.start(
            client,
            c -> cloud,
            (target, desired) -> {
              if (broken.get() && NODE.equals(target.node())) {
                throw new IllegalStateException("the configurer failed\non " + target.node());
              }
              return noop.configure(target, desired);
            });
  }

  @AfterEach
  void tearDown() {
    operator.close();
  }

  @Test
  void aFailedPassIsReconcilingWithItsErrorUntilAPassCompletes() {
    client.resource(OperatorHarness.load(client, "tutorial-stub.yaml")).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(Conditions.get(conditions(), Conditions.RECONCILING))
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getStatus()).isEqualTo("True");
                          assertThat(c.getReason()).isEqualTo(StatusRecorder.RECONCILE_ERROR);
                          assertThat(c.getMessage())
                              .isEqualTo("IllegalStateException: the configurer failed on " + NODE);
                        }));
    broken.set(false);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(Conditions.get(conditions(), Conditions.RECONCILING)).isEmpty();
              assertThat(Conditions.get(conditions(), Conditions.CONFIGURED))
                  .hasValueSatisfying(
                      c -> assertThat(c.getReason()).isEqualTo("ConfigurationDisabled"));
            });
  }

  private java.util.List<io.fabric8.kubernetes.api.model.Condition> conditions() {
    MesosNode node =
        client.resources(MesosNode.class).inNamespace(OperatorHarness.NS).withName(NODE).get();
    return node == null || node.getStatus() == null ? null : node.getStatus().getConditions();
  }
}
