package io.mesosoperator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.RoleSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostFirewallTest {
  private static final List<NodeInfo> NODES =
      List.of(
          TestInputs.master("m1", "10.1.0.11", 1),
          TestInputs.master("m2", "10.1.0.12", 2),
          TestInputs.master("m3", "10.1.0.13", 3),
          TestInputs.agent("a1", "10.1.0.21"),
          TestInputs.agent("a2", "10.1.0.22"));

  private static HostFirewall of(MesosClusterSpec spec, int role) {
    RoleSpec r = spec.getRoles().get(role);
    return HostFirewall.of(spec, r, NODES);
  }

  @Test
  void mastersOpenTheirPublicPortsToAllAndTheInternalOnesToTheClusterOnly() {
    HostFirewall fw = of(TestInputs.spec(), 0);
    assertThat(fw.publicPorts()).containsExactly(22, 5050, 8080);
    assertThat(fw.internalPorts()).containsExactly("2181", "2888", "3888", "5050", "8080");
    // No private range in the spec: the cluster's own machines.
    assertThat(fw.internalSources()).hasSize(5).contains("10.1.0.21");
    String world = "198.51.100.7";
    assertThat(fw.admits(world, 22, null)).isTrue();
    assertThat(fw.admits(world, 5050, null)).isTrue();
    assertThat(fw.admits(world, 8080, null)).isTrue();
    assertThat(fw.admits(world, 2181, null)).isFalse();
    assertThat(fw.admits(world, 2888, null)).isFalse();
    assertThat(fw.admits(world, 3888, null)).isFalse();
    assertThat(fw.admits(world, 5051, null)).isFalse();
    assertThat(fw.admits("10.1.0.21", 2181, null)).isTrue();
    assertThat(fw.admits("10.1.0.99", 2181, null)).isFalse();
    assertThat(fw.exposedToAll()).containsExactly(5050, 8080);
  }

  @Test
  void agentsOpenOnlySshToAllAndTheirAgentPortsToTheClusterRange() {
    MesosClusterSpec spec = TestInputs.spec();
    spec.getCloud().getNetwork().setCidr("10.1.0.0/24");
    HostFirewall fw = of(spec, 1);
    assertThat(fw.publicPorts()).containsExactly(22);
    assertThat(fw.internalSources()).containsExactly("10.1.0.0/24");
    assertThat(fw.admits("203.0.113.9", 22, null)).isTrue();
    assertThat(fw.admits("203.0.113.9", 5051, null)).isFalse();
    assertThat(fw.admits("203.0.113.9", 31000, null)).isFalse();
    assertThat(fw.admits("10.1.0.200", 5051, null)).isTrue();
    assertThat(fw.admits("10.1.0.200", 31500, null)).isTrue();
    assertThat(fw.admits("10.1.0.200", 32001, null)).isFalse();
    assertThat(fw.admits("10.1.0.200", 2181, null)).isFalse();
    assertThat(fw.exposedToAll()).isEmpty();
    assertThat(fw.nft())
        .contains("\t\ttcp dport { 22 } accept\n")
        .contains("\t\tip saddr { 10.1.0.0/24 } tcp dport { 5051, 31000-32000 } accept\n");
  }

  @Test
  void allowedSourcesLimitThePublicPortsButNeverTheOperatorsSession() {
    MesosClusterSpec spec = TestInputs.spec();
    spec.getCloud().getNetwork().setAllowedSources(List.of("203.0.113.0/24", "2001:db8::/32"));
    HostFirewall fw = of(spec, 0);
    assertThat(fw.publicToAll()).isFalse();
    assertThat(fw.exposedToAll()).isEmpty();
    assertThat(fw.admits("203.0.113.9", 8080, null)).isTrue();
    assertThat(fw.admits("2001:db8::5", 5050, null)).isTrue();
    assertThat(fw.admits("198.51.100.7", 8080, null)).isFalse();
    assertThat(fw.admits("198.51.100.7", 22, null)).isFalse();
    assertThat(fw.admits("2001:db9::5", 22, null)).isFalse();
    // The operator's address, put in the operator set on load, keeps SSH and only SSH.
    assertThat(fw.admits("198.51.100.7", 22, "198.51.100.7")).isTrue();
    assertThat(fw.admits("198.51.100.7", 8080, "198.51.100.7")).isFalse();
    assertThat(fw.lockoutRefusal("198.51.100.7", 22)).isNull();
    assertThat(fw.nft())
        .contains("\t\tip saddr { 203.0.113.0/24 } tcp dport { 22, 5050, 8080 } accept\n")
        .contains("\t\tip6 saddr { 2001:db8::/32 } tcp dport { 22, 5050, 8080 } accept\n")
        .doesNotContain("\t\ttcp dport { 22, 5050, 8080 } accept\n");
  }

  @Test
  void aRuleSetThatWouldDropTheSessionIsRefused() {
    MesosClusterSpec spec = TestInputs.spec();
    spec.getCloud().getNetwork().setAllowedSources(List.of("203.0.113.0/24"));
    HostFirewall fw = of(spec, 1);
    // Unknown source: nothing proves the session survives.
    assertThat(fw.lockoutRefusal("", 22)).contains("did not report the source address");
    assertThat(fw.lockoutRefusal(null, 0)).contains("did not report the source address");
    assertThat(fw.lockoutRefusal("not-an-address", 22)).contains("did not report");
    // The session reached sshd on another port than the one the rules keep (a port forward):
    // the operator set admits SSH only on spec.ssh.port.
    assertThat(fw.lockoutRefusal("198.51.100.7", 2222))
        .contains("would drop the operator's SSH session from 198.51.100.7 to port 2222");
    assertThat(fw.lockoutRefusal("198.51.100.7", 22)).isNull();
    assertThat(fw.lockoutRefusal("2001:db8::7", 22)).isNull();
    // Over loopback nothing is ever dropped.
    assertThat(fw.lockoutRefusal("127.0.0.1", 2222)).isNull();
  }

  @Test
  void theSshPortFollowsTheSpec() {
    MesosClusterSpec spec = TestInputs.spec();
    spec.getSsh().setPort(2222);
    spec.getRoles().get(1).setPorts(List.of(2222));
    HostFirewall fw = of(spec, 1);
    assertThat(fw.nft())
        .contains("ip saddr @operator4 tcp dport 2222 accept")
        .contains("ip6 saddr @operator6 tcp dport 2222 accept");
    assertThat(fw.lockoutRefusal("198.51.100.7", 2222)).isNull();
  }

  @Test
  void theFileReplacesOnlyTheOperatorsTableInOneTransaction() {
    String nft = of(TestInputs.spec(), 0).nft();
    // Declaring, deleting and redefining the table in one file is nft's atomic replace: it
    // works whether the table exists or not.
    assertThat(nft)
        .contains(
            "table inet mesos_operator\n"
                + "delete table inet mesos_operator\n"
                + "table inet mesos_operator {\n")
        .contains("policy drop;")
        .contains("iif \"lo\" accept")
        .contains("ct state established,related accept")
        .doesNotContain("flush ruleset");
  }

  @Test
  void sameInputsSameFile() {
    assertThat(of(TestInputs.spec(), 0).nft()).isEqualTo(of(TestInputs.spec(), 0).nft());
    List<NodeInfo> reversed = new java.util.ArrayList<>(NODES);
    java.util.Collections.reverse(reversed);
    MesosClusterSpec spec = TestInputs.spec();
    assertThat(HostFirewall.of(spec, spec.getRoles().get(0), reversed).nft())
        .isEqualTo(of(spec, 0).nft());
  }
}
