package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.testing.MockApiServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** An invalid spec is a warning once, not on every resync. */
@MockApiServer
class InvalidSpecLoggingTest {
  KubernetesClient client;
  OperatorRuntime operator;
  ListAppender<ILoggingEvent> logs = new ListAppender<>();
  Logger logger = (Logger) LoggerFactory.getLogger(MesosClusterReconciler.class);

  @BeforeEach
  void setUp() throws Exception {
    logs.start();
    logger.addAppender(logs);
    OperatorHarness.installCrds(client);
    operator = OperatorHarness.start(client, c -> new InMemoryMachineProvider(), null);
  }

  @AfterEach
  void tearDown() {
    operator.close();
    logger.detachAppender(logs);
  }

  private long warnings() {
    java.util.List<ILoggingEvent> logged;
    synchronized (logs) { // appended under the appender's lock while the operator runs
      logged = new java.util.ArrayList<>(logs.list);
    }
    return logged.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .filter(e -> e.getFormattedMessage().startsWith("InvalidSpec"))
        .count();
  }

  @Test
  void theSameInvalidSpecIsWarnedAboutOnceAcrossResyncs() {
    MesosCluster cluster = OperatorHarness.load(client, "tutorial-stub.yaml");
    cluster.getSpec().getRoles().get(0).setReplicas(4);
    client.resource(cluster).create();

    await().atMost(Duration.ofSeconds(30)).until(() -> warnings() == 1);
    // The harness resyncs every 2 s: several passes over the same invalid spec.
    OperatorHarness.quiet(Duration.ofSeconds(5));
    assertThat(warnings()).isEqualTo(1);

    MesosCluster again = OperatorHarness.get(client, "tutorial");
    again.getSpec().getRoles().get(0).setReplicas(6);
    client.resource(again).update();
    await().atMost(Duration.ofSeconds(30)).until(() -> warnings() == 2);
  }
}
