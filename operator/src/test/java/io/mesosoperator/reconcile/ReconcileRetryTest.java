package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.NoopNodeConfigurer;
import io.mesosoperator.testing.MockApiServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A pass that throws is retried for as long as it keeps throwing, never given up on. */
@MockApiServer
class ReconcileRetryTest {
  /** More failures in a row than JOSDK's default retry allows (five attempts). */
  private static final int FAILURES = 12;

  KubernetesMockServer server;
  KubernetesClient client;
  OperatorRuntime operator;

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void theRetryNeverRunsOutAndBacksOffToTheResyncPeriod() {
    RetryExecution r = OperatorRuntime.retry(Duration.ofSeconds(60)).initExecution();
    assertThat(r.nextDelay()).contains(2000L);
    long last = 0;
    for (int i = 0; i < 1000; i++) {
      last = r.nextDelay().orElseThrow();
    }
    assertThat(last).isEqualTo(60_000L);
    RetryExecution fast = OperatorRuntime.retry(Duration.ofMillis(300)).initExecution();
    assertThat(fast.nextDelay()).contains(300L);
    assertThat(fast.nextDelay()).contains(300L);
  }

  @Test
  void aNodeWhosePassesThrowManyTimesInARowIsStillConvergedAfterwards() throws Exception {
    OperatorHarness.installCrds(client);
    InMemoryMachineProvider cloud = new InMemoryMachineProvider();
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    NodeConfigurer noop = new NoopNodeConfigurer();
    NodeConfigurer flaky =
        (target, desired) -> {
          int n = calls.computeIfAbsent(target.node(), k -> new AtomicInteger()).incrementAndGet();
          if (n <= FAILURES) {
            throw new IllegalStateException("pass " + n + " fails");
          }
          return noop.configure(target, desired);
        };
    operator =
        OperatorHarness.start(
            client,
            c -> cloud,
            flaky,
            (spec, nodes, node, facts, settings) -> null,
            Duration.ofMillis(300));
    MesosCluster cluster = OperatorHarness.load(client, "tutorial-stub.yaml");
    client.resource(cluster).create();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(OperatorHarness.nodes(client))
                    .hasSize(6)
                    .allSatisfy(
                        n ->
                            assertThat(configured(n))
                                .as(n.getMetadata().getName())
                                .isEqualTo("ConfigurationDisabled")));
    assertThat(calls.values()).allSatisfy(c -> assertThat(c.get()).isGreaterThan(FAILURES));
  }

  private static String configured(MesosNode n) {
    return n.getStatus() == null
        ? null
        : Conditions.get(n.getStatus().getConditions(), "Configured")
            .map(c -> c.getReason())
            .orElse(null);
  }
}
