package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterStatus;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.testing.MockApiServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one status frame: copy, work, write only when changed, failures recorded in one place. */
@MockApiServer
class StatusRecorderTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private StatusRecorder<MesosCluster, MesosClusterStatus> statuses;

  @BeforeEach
  void setUp() throws Exception {
    OperatorHarness.installCrds(client);
    statuses =
        new StatusRecorder<>(
            client,
            Clock.fixed(Instant.parse("2026-12-02T03:00:00Z"), ZoneOffset.UTC),
            MesosClusterStatus.class,
            MesosClusterStatus::new);
  }

  private MesosCluster created() throws InterruptedException {
    MesosCluster cluster =
        client.resource(OperatorHarness.load(client, "tutorial-stub.yaml")).create();
    OperatorHarness.writesSince(server); // the create
    return cluster;
  }

  @Test
  void aPassWritesOnceAndAnUnchangedPassWritesNothing() throws Exception {
    MesosCluster cluster = created();
    StatusFrame<MesosClusterStatus> first = statuses.begin(cluster);
    first.set(Conditions.READY, ConditionState.isFalse("NodesPending", "0 of 6"));
    assertThat(statuses.finish(cluster, first)).isTrue();
    assertThat(OperatorHarness.writesSince(server)).isEqualTo(1);

    MesosCluster stored = OperatorHarness.get(client, "tutorial");
    assertThat(Conditions.get(stored.getStatus().getConditions(), Conditions.READY))
        .hasValueSatisfying(
            c -> {
              assertThat(c.getReason()).isEqualTo("NodesPending");
              assertThat(c.getObservedGeneration())
                  .isEqualTo(cluster.getMetadata().getGeneration());
            });
    StatusFrame<MesosClusterStatus> second = statuses.begin(stored);
    second.set(Conditions.READY, ConditionState.isFalse("NodesPending", "0 of 6"));
    assertThat(second.changed()).isFalse();
    assertThat(statuses.finish(stored, second)).isFalse();
    assertThat(OperatorHarness.writesSince(server)).isZero();
    assertThat(second.before()).isNotSameAs(second.status());
  }

  @Test
  void aFailedPassIsRecordedOnceAndTheNextCompletedPassClearsIt() throws Exception {
    MesosCluster cluster = created();
    Exception failure =
        new KubernetesClientException(
            "Failure executing: PATCH\n  at: https://api/x " + "y".repeat(400));
    statuses.failed(cluster, failure);
    MesosCluster stored = OperatorHarness.get(client, "tutorial");
    var recorded = Conditions.get(stored.getStatus().getConditions(), Conditions.RECONCILING);
    assertThat(recorded)
        .hasValueSatisfying(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo(StatusRecorder.RECONCILE_ERROR);
              assertThat(c.getMessage())
                  .startsWith(
                      "KubernetesClientException: Failure executing: PATCH at: https://api/x")
                  .hasSize(StatusRecorder.MESSAGE_LIMIT)
                  .doesNotContain("\n");
            });
    assertThat(OperatorHarness.writesSince(server)).isEqualTo(1);
    statuses.failed(stored, failure); // the same failure again: nothing new to say
    assertThat(OperatorHarness.writesSince(server)).isZero();

    StatusFrame<MesosClusterStatus> next = statuses.begin(stored);
    assertThat(statuses.finish(stored, next)).isTrue();
    assertThat(
            Conditions.get(
                OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                Conditions.RECONCILING))
        .isEmpty();
  }

  @Test
  void aPassThatSetsReconcilingItselfKeepsIt() throws Exception {
    MesosCluster cluster = created();
    statuses.failed(cluster, new IllegalStateException("boom"));
    MesosCluster stored = OperatorHarness.get(client, "tutorial");
    StatusFrame<MesosClusterStatus> next = statuses.begin(stored);
    next.set(Conditions.RECONCILING, ConditionState.isTrue("NodesPending", "converging"));
    statuses.finish(stored, next);
    assertThat(
            Conditions.get(
                OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                Conditions.RECONCILING))
        .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("NodesPending"));
  }

  @Test
  void aFailedRecordThatCannotBeWrittenIsNotThrown() throws Exception {
    MesosCluster cluster = created();
    client.resource(cluster).delete();
    OperatorHarness.writesSince(server);
    // The object is gone: the write fails, the original failure stays the one reported.
    statuses.failed(cluster, new IllegalStateException("boom"));
  }

  @Test
  void theFrameworksWrapperIsLookedThrough() {
    assertThat(
            StatusRecorder.describe(
                new io.javaoperatorsdk.operator.OperatorException(
                    new java.io.IOException("no route to host"))))
        .isEqualTo("IOException: no route to host");
    assertThat(StatusRecorder.describe(new IllegalStateException()))
        .isEqualTo("IllegalStateException");
  }

  @Test
  void cloudFailuresSayWhetherTheyAreTransient() {
    assertThat(StatusRecorder.cloudFailure(new CloudException("rate limited", true)))
        .isEqualTo(ConditionState.isFalse("CloudUnavailable", "rate limited"));
    assertThat(StatusRecorder.cloudFailure(new CloudException("bad credentials", false)))
        .isEqualTo(ConditionState.isFalse("CloudError", "bad credentials"));
  }
}
