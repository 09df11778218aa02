package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.testing.MockApiServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

@MockApiServer
class KubernetesEventRecorderTest {
  KubernetesClient client;

  private static MesosNode node() {
    MesosNode n = new MesosNode();
    n.getMetadata().setName("tutorial-masters-0");
    n.getMetadata().setNamespace("ns");
    n.getMetadata().setUid("uid-1");
    return n;
  }

  private List<Event> events() {
    return client.v1().events().inNamespace("ns").list().getItems();
  }

  @Test
  void twoMessagesInTheSameInstantAreBothKept() {
    // A clock that stands still: every event has the same time.
    Clock still = Clock.fixed(Instant.parse("2026-11-22T03:00:00Z"), ZoneOffset.UTC);
    var recorder = new KubernetesEventRecorder(client, still, "mesos-operator");

    recorder.normal(node(), "FileRestored", "/etc/mesos/zk");
    recorder.normal(node(), "FileRestored", "/etc/zookeeper/conf/zoo.cfg");
    recorder.warning(node(), "NodeUnreachable", "ssh: connection refused");

    assertThat(events())
        .extracting(Event::getMessage)
        .containsExactlyInAnyOrder(
            "/etc/mesos/zk", "/etc/zookeeper/conf/zoo.cfg", "ssh: connection refused");
    assertThat(events()).extracting(e -> e.getMetadata().getName()).doesNotHaveDuplicates();
  }

  @Test
  void theSameMessageTwiceIsWrittenOnce() {
    var recorder = new KubernetesEventRecorder(client, Clock.systemUTC(), "mesos-operator");

    recorder.normal(node(), "NodeConfigured", "3 changes");
    recorder.normal(node(), "NodeConfigured", "3 changes");

    assertThat(events()).hasSize(1);
  }

  @Test
  void namesStartWithTheObjectAndDifferBySequence() {
    Instant at = Instant.parse("2026-11-22T03:00:00.123Z");
    assertThat(KubernetesEventRecorder.eventName("n", at, 1))
        .startsWith("n.")
        .isNotEqualTo(KubernetesEventRecorder.eventName("n", at, 2))
        .matches("n\\.[0-9a-f]+");
  }
}
