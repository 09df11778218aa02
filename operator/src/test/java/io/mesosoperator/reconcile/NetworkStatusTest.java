package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.MesosNodeStatus;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.render.TestInputs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkStatusTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static MesosNode node(String name, ConditionState firewall) {
    MesosNode n = new MesosNode();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(name);
    n.setMetadata(meta);
    MesosNodeStatus st = new MesosNodeStatus();
    if (firewall != null) {
      st.setConditions(Conditions.set(List.of(), Conditions.FIREWALL_APPLIED, firewall, 1L, T));
    }
    n.setStatus(st);
    return n;
  }

  private static List<MesosNode> nodes(int loaded, int notLoaded, int unknown) {
    List<MesosNode> out = new ArrayList<>();
    for (int i = 0; i < loaded; i++) {
      out.add(node("l" + i, ConditionState.isTrue("Loaded", "x")));
    }
    for (int i = 0; i < notLoaded; i++) {
      out.add(node("n" + i, ConditionState.isFalse("FirewallRefused", "x")));
    }
    for (int i = 0; i < unknown; i++) {
      out.add(node("u" + i, null));
    }
    return out;
  }

  @Test
  void pendingUntilEveryDesiredNodeHasItsFirewallLoaded() {
    MesosClusterSpec spec = TestInputs.spec(); // 3 masters + 2 agents
    ConditionState c = NetworkStatus.condition(spec, nodes(3, 1, 1), 5, null);
    assertThat(c.status()).isEqualTo("False");
    assertThat(c.reason()).isEqualTo(NetworkStatus.PENDING);
    assertThat(c.message())
        .startsWith("no cloud firewall")
        .contains("host firewall loaded on 3 of 5 nodes")
        .doesNotContain("in place");
    // Fewer nodes than desired is pending too, even when all of them have it.
    assertThat(NetworkStatus.condition(spec, nodes(4, 0, 0), 5, null).status()).isEqualTo("False");
  }

  @Test
  void allLoadedButMesosAndMarathonOpenToAllSaysSo() {
    ConditionState c =
        NetworkStatus.condition(TestInputs.spec(), nodes(5, 0, 0), 5, "security group sg-1");
    assertThat(c.status()).isEqualTo("True");
    assertThat(c.reason()).isEqualTo(NetworkStatus.OPEN_TO_ALL);
    assertThat(c.message())
        .startsWith("cloud firewall: security group sg-1")
        .contains("host firewall loaded on 5 of 5 nodes")
        .contains("role m port 5050, 8080")
        .contains("allowedSources");
  }

  @Test
  void allLoadedWithAllowedSourcesIsEnforced() {
    MesosClusterSpec spec = TestInputs.spec();
    spec.getCloud().getNetwork().setAllowedSources(List.of("203.0.113.0/24"));
    ConditionState c = NetworkStatus.condition(spec, nodes(5, 0, 0), 5, null);
    assertThat(c.status()).isEqualTo("True");
    assertThat(c.reason()).isEqualTo(NetworkStatus.ENFORCED);
    assertThat(NetworkStatus.exposure(spec)).isNull();
  }

  @Test
  void agentsWithOnlySshExposeNothing() {
    MesosClusterSpec spec = TestInputs.spec();
    spec.getRoles().get(0).setPorts(List.of(22));
    assertThat(NetworkStatus.exposure(spec)).isNull();
    spec.getRoles().get(1).setPorts(List.of(22, 5051));
    assertThat(NetworkStatus.exposure(spec)).contains("role a port 5051");
  }
}
