package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.NoopNodeConfigurer;
import io.mesosoperator.testing.ControlPlane;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Leader election on the real apiserver. Stopping a leader ends nothing but the operator: JOSDK's
 * default ({@code exitOnStopLeading}) calls {@code System.exit(1)} whenever leading stops, a
 * deliberate stop included, which ended the test JVM when an in-process operator was closed, and
 * inside the SIGTERM shutdown hook blocks. A leadership really lost (the Lease taken over) still
 * runs the lost-leadership action, whose default ends the process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaderElectionIT {
  private static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final String NS = "leader-election";

  private KubernetesClient client;

  @BeforeAll
  void start() throws Exception {
    ControlPlane cp = ControlPlane.shared();
    cp.installCrds(ROOT, NS);
    client = cp.client();
  }

  private OperatorRuntime operator(String lease, AtomicInteger lost) {
    OperatorRuntime runtime =
        new OperatorRuntime(
            client,
            c -> new InMemoryMachineProvider(),
            new NoopNodeConfigurer(),
            (spec, nodes, node, facts, settings) -> null,
            null,
            OperatorMetrics.inMemory(),
            Clock.systemUTC(),
            new OperatorRuntime.Settings(Set.of(NS), lease, NS, 2, Duration.ofSeconds(60)),
            lost::incrementAndGet);
    runtime.start();
    return runtime;
  }

  private String holder(String lease) {
    Lease l = client.leases().inNamespace(NS).withName(lease).get();
    return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
  }

  @Test
  void closingTheLeaderStopsOnlyTheOperator() {
    AtomicInteger lost = new AtomicInteger();
    OperatorRuntime operator = operator("close", lost);
    await("leading").atMost(Duration.ofSeconds(30)).until(() -> holder("close") != null);
    await("reconciling").atMost(Duration.ofSeconds(30)).until(operator::ready);
    operator.close();
    // Reached only because closing did not end the JVM.
    assertThat(lost).as("a deliberate stop is no lost leadership").hasValue(0);
  }

  @Test
  void aLeaseTakenOverRunsTheLostLeadershipAction() {
    AtomicInteger lost = new AtomicInteger();
    OperatorRuntime operator = operator("takeover", lost);
    try {
      await("leading").atMost(Duration.ofSeconds(30)).until(() -> holder("takeover") != null);
      String me = holder("takeover");
      client
          .leases()
          .inNamespace(NS)
          .withName("takeover")
          .edit(
              l -> {
                l.getSpec().setHolderIdentity("another-replica");
                l.getSpec().setAcquireTime(ZonedDateTime.now());
                l.getSpec().setRenewTime(ZonedDateTime.now());
                l.getSpec().setLeaseDurationSeconds(3600);
                return l;
              });
      // The next renewal (every 2 s) sees another holder.
      await("the lost-leadership action")
          .atMost(Duration.ofSeconds(30))
          .until(() -> lost.get() > 0);
      assertThat(holder("takeover")).isEqualTo("another-replica").isNotEqualTo(me);
    } finally {
      operator.close();
    }
    assertThat(lost).as("once, and not again on close").hasValue(1);
  }
}
