package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.HostFirewall;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.render.TestInputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host firewall through the real scripts, over SSH, on a fake node (fake nft). */
class SshNodeFirewallTest {
  private static final String ADMIN = "mesosadmin";
  private static final List<NodeInfo> NODES =
      List.of(
          TestInputs.master("m1", "10.1.0.11", 1),
          TestInputs.master("m2", "10.1.0.12", 2),
          TestInputs.master("m3", "10.1.0.13", 3),
          TestInputs.agent("a1", "10.1.0.21"));

  @TempDir Path dir;
  FakeNode node;
  String privateKey;
  String publicKey;
  SshjSessions sessions;
  SshNodeConfigurer configurer;
  final MesosClusterSpec spec = TestInputs.spec();
  final Function<NodeFacts, NodeConfig> desired =
      facts -> ClusterRenderer.render(spec, NODES, NODES.get(0), facts);

  @BeforeEach
  void start() throws Exception {
    node = new FakeNode(dir);
    Path key = dir.resolve("admin_ed25519");
    TestKeys.sshKeygen("ed25519", key);
    privateKey = Files.readString(key);
    publicKey = Files.readString(Path.of(key + ".pub")).trim();
    node.authorize(ADMIN, publicKey);
    sessions =
        new SshjSessions(
            new SshjSessions.Timeouts(
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(60)));
    configurer =
        new SshNodeConfigurer(
            sessions,
            new SshNodeConfigurer.Settings(Duration.ofSeconds(5), Duration.ofMillis(100)));
  }

  @AfterEach
  void stop() throws Exception {
    sessions.close();
    node.close();
  }

  private NodeTarget target(String pinned) {
    return new NodeTarget(
        "m1", "127.0.0.1", node.port(), ADMIN, privateKey, publicKey, pinned, null, true);
  }

  private String table() throws Exception {
    Path t = node.root.resolve("state/nft-table");
    return Files.exists(t) ? Files.readString(t) : null;
  }

  @Test
  void loadedOnceWithTheSessionsAddressThenLeftAloneThenReloadedAfterDrift() throws Exception {
    node.sshConnectionOverride = "198.51.100.7 50000 10.1.0.11 22";
    NodeResult first = configurer.configure(target(null), desired);
    assertThat(first.configured().isTrue()).as(first.configured().message()).isTrue();
    assertThat(first.firewall().isTrue()).as(String.valueOf(first.firewall())).isTrue();
    assertThat(first.firewall().message()).contains("tcp 22,5050,8080 from anywhere");
    assertThat(Files.readString(node.file(HostFirewall.PATH)))
        .isEqualTo(desired.apply(NodeFacts.TUTORIAL).firewall().nft());
    // The file and, in the same nft -f, the operator's address.
    assertThat(table())
        .startsWith("# Managed by mesos-operator")
        .endsWith("add element inet mesos_operator operator4 { 198.51.100.7 }\n");
    assertThat(node.calls()).contains("nft -f ");
    assertThat(Files.readString(node.file("/var/lib/mesos-operator/firewall"))).isNotBlank();

    int before = node.calls().split("\n").length;
    NodeResult second = configurer.configure(target(first.hostKey()), desired);
    assertThat(second.changes()).isZero();
    assertThat(second.events()).isEmpty();
    assertThat(second.firewall().isTrue()).isTrue();
    assertThat(node.calls().split("\n")).hasSize(before + 1); // the observe's sudo only

    Files.delete(node.root.resolve("state/nft-table")); // nft flush, a reboot
    NodeResult third = configurer.configure(target(first.hostKey()), desired);
    assertThat(third.restarts()).isZero();
    assertThat(third.events())
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("FirewallRestored"));
    assertThat(table()).contains("operator4 { 198.51.100.7 }");
  }

  @Test
  void withoutTheSessionsAddressNothingIsApplied() throws Exception {
    node.sshConnectionOverride = "";
    NodeResult r = configurer.configure(target(null), desired);
    assertThat(r.configured().isTrue()).isFalse();
    assertThat(r.configured().reason()).isEqualTo("FirewallRefused");
    assertThat(r.firewall().isTrue()).isFalse();
    assertThat(r.events())
        .anySatisfy(
            e -> {
              assertThat(e.reason()).isEqualTo("FirewallRefused");
              assertThat(e.warning()).isTrue();
            });
    // Refused before anything ran: only the observe went to the node.
    assertThat(node.calls().lines().filter(l -> !l.startsWith("sudo "))).isEmpty();
    assertThat(Files.exists(node.file(HostFirewall.PATH))).isFalse();
    assertThat(table()).isNull();
  }

  @Test
  void aSessionOnAnotherPortThanTheRulesKeepIsRefused() throws Exception {
    spec.getCloud().getNetwork().setAllowedSources(List.of("203.0.113.0/24"));
    node.sshConnectionOverride = "198.51.100.7 50000 10.1.0.11 2222";
    NodeResult r = configurer.configure(target(null), desired);
    assertThat(r.configured().reason()).isEqualTo("FirewallRefused");
    assertThat(r.configured().message())
        .contains("would drop the operator's SSH session from 198.51.100.7 to port 2222");
    assertThat(table()).isNull();
  }
}
