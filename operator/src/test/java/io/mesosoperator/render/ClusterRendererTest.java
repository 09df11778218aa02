package io.mesosoperator.render;

import static io.mesosoperator.render.TestInputs.agent;
import static io.mesosoperator.render.TestInputs.master;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.RoleType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterRendererTest {
  private static final NodeFacts SYSTEMD = new NodeFacts("debian", "bookworm", InitStyle.SYSTEMD);

  private static final List<NodeInfo> NODES =
      List.of(
          master("m3", "10.1.0.3", 3),
          agent("a1", "10.1.0.11"),
          master("m1", "10.1.0.1", 1),
          master("m2", "10.1.0.2", 2));

  private static Optional<ManagedFile> file(NodeConfig c, String path) {
    return c.files().stream().filter(f -> f.path().equals(path)).findFirst();
  }

  private static NodeConfig render(MesosClusterSpec spec, String node, NodeFacts facts) {
    NodeInfo n = NODES.stream().filter(x -> x.name().equals(node)).findFirst().orElseThrow();
    return ClusterRenderer.render(spec, NODES, n, facts);
  }

  @Test
  void quorumIsAStrictMajority() {
    assertThat(ClusterRenderer.quorum(1)).isEqualTo(1);
    assertThat(ClusterRenderer.quorum(3)).isEqualTo(2);
    assertThat(ClusterRenderer.quorum(5)).isEqualTo(3);
    assertThat(ClusterRenderer.quorum(7)).isEqualTo(4);
    assertThat(ClusterRenderer.quorum(4)).isEqualTo(3);
    assertThatThrownBy(() -> ClusterRenderer.quorum(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void zkUrlListsMastersByZooKeeperIdNotListOrder() {
    MesosClusterSpec spec = TestInputs.spec();
    assertThat(ClusterRenderer.zkUrl(spec, NODES, "/mesos"))
        .isEqualTo("zk://10.1.0.1:2181,10.1.0.2:2181,10.1.0.3:2181/mesos");
    spec.getZookeeper().setClientPort(2281);
    assertThat(ClusterRenderer.zkUrl(spec, NODES, "marathon"))
        .isEqualTo("zk://10.1.0.1:2281,10.1.0.2:2281,10.1.0.3:2281/marathon");
  }

  @Test
  void zooCfgUsesTheSpecsPortsAndOneServerLinePerMasterById() {
    MesosClusterSpec spec = TestInputs.spec();
    spec.getZookeeper().setPeerPort(2999);
    spec.getZookeeper().setElectionPort(3999);
    spec.getZookeeper().setAdminPort(9090);
    String cfg = file(render(spec, "m2", SYSTEMD), ClusterRenderer.ZOO_CFG).orElseThrow().content();
    assertThat(cfg.lines().filter(l -> l.startsWith("server.")))
        .containsExactly(
            "server.1=10.1.0.1:2999:3999",
            "server.2=10.1.0.2:2999:3999",
            "server.3=10.1.0.3:2999:3999");
    assertThat(cfg)
        .contains(
            "\nadmin.serverPort=9090\n", "\nclientPort=2181\n", "\ndataDir=/var/lib/zookeeper\n")
        .contains("4lw.commands.whitelist=srvr,mntr,ruok,stat\n")
        .contains("/var/lib/zookeeper/myid");
  }

  @Test
  void hostsBlockHasEveryNodeSortedByNameWithIpv6WhereKnown() {
    List<NodeInfo> nodes =
        List.of(
            new NodeInfo("b", "m", "10.0.0.2", "198.51.100.2", "2001:db8::2", 1),
            new NodeInfo("a", "a", "10.0.0.1", null, null, null),
            new NodeInfo("c", "a", "10.0.0.3", null, "2001:db8::3", null));
    NodeConfig c = ClusterRenderer.render(TestInputs.spec(), nodes, nodes.get(1), SYSTEMD);
    ManagedFile hosts = file(c, ClusterRenderer.HOSTS).orElseThrow();
    assertThat(hosts.kind()).isEqualTo(ManagedFile.Kind.BLOCK_END);
    assertThat(hosts.content())
        .isEqualTo(
            "10.0.0.1 a\n"
                + "10.0.0.2 b\n"
                + "2001:db8::2 b\n"
                + "10.0.0.3 c\n"
                + "2001:db8::3 c\n");
    assertThat(NodeFiles.text(hosts))
        .startsWith(ManagedFile.BLOCK_BEGIN + "\n10.0.0.1 a\n")
        .endsWith("2001:db8::3 c\n" + ManagedFile.BLOCK_FINISH + "\n");
  }

  @Test
  void advertisedHostnameIsThePublicAddressWhenThereIsOne() {
    List<NodeInfo> nodes =
        List.of(
            new NodeInfo("m", "m", "10.0.0.1", "198.51.100.1", null, 1),
            new NodeInfo("a", "a", "10.0.0.2", "198.51.100.2", null, null));
    NodeConfig m = ClusterRenderer.render(TestInputs.spec(), nodes, nodes.get(0), SYSTEMD);
    NodeConfig a = ClusterRenderer.render(TestInputs.spec(), nodes, nodes.get(1), SYSTEMD);
    assertThat(file(m, ClusterRenderer.MASTER_IP).orElseThrow().content()).isEqualTo("10.0.0.1\n");
    assertThat(file(m, ClusterRenderer.MASTER_HOSTNAME).orElseThrow().content())
        .isEqualTo("198.51.100.1\n");
    assertThat(file(m, ClusterRenderer.MARATHON_HOSTNAME).orElseThrow().content())
        .isEqualTo("198.51.100.1\n");
    assertThat(file(a, ClusterRenderer.SLAVE_IP).orElseThrow().content()).isEqualTo("10.0.0.2\n");
    assertThat(file(a, ClusterRenderer.SLAVE_HOSTNAME).orElseThrow().content())
        .isEqualTo("198.51.100.2\n");
    assertThat(file(m, ClusterRenderer.MASTER_QUORUM).orElseThrow().content()).isEqualTo("1\n");
  }

  @Test
  void attributesAreSortedByKeyAndOnlyWrittenWhenTheRoleHasSome() {
    MesosClusterSpec spec = TestInputs.spec();
    NodeConfig without = render(spec, "a1", SYSTEMD);
    assertThat(file(without, ClusterRenderer.SLAVE_ATTRIBUTES)).isEmpty();
    assertThat(without.restartTriggers().get("mesos-slave"))
        .doesNotContain(ClusterRenderer.SLAVE_ATTRIBUTES);

    spec.getRoles().get(1).setAttributes(Map.of("zone", "b", "rack", "r7", "disk", "ssd"));
    NodeConfig with = render(spec, "a1", SYSTEMD);
    assertThat(file(with, ClusterRenderer.SLAVE_ATTRIBUTES).orElseThrow().content())
        .isEqualTo("disk:ssd;rack:r7;zone:b\n");
    assertThat(with.restartTriggers().get("mesos-slave"))
        .contains(ClusterRenderer.SLAVE_ATTRIBUTES);
  }

  @Test
  void aptSourceFillsInDistroAndCodenameAndIsAbsentForAnEmptyRepository() {
    MesosClusterSpec spec = TestInputs.spec();
    AptSource apt = render(spec, "m1", SYSTEMD).aptSource();
    assertThat(apt)
        .isEqualTo(
            new AptSource(
                ClusterRenderer.APT_SOURCE,
                "deb http://repos.mesosphere.io/debian bookworm main",
                "E56151BF",
                "keyserver.ubuntu.com"));

    spec.getPackages()
        .setRepository("deb [arch=amd64] http://mirror.example/{distro} {codename}-x main");
    assertThat(render(spec, "a1", NodeFacts.TUTORIAL).aptSource().line())
        .isEqualTo("deb [arch=amd64] http://mirror.example/ubuntu trusty-x main");

    spec.getPackages().setRepository("");
    NodeConfig none = render(spec, "m1", SYSTEMD);
    assertThat(none.aptSource()).isNull();
    assertThat(NodeFiles.tree(none)).doesNotContainKey(ClusterRenderer.APT_SOURCE);
  }

  @Test
  void sshdBlockAtTheTopOnlyWhenHardening() {
    MesosClusterSpec spec = TestInputs.spec();
    NodeConfig hardened = render(spec, "a1", SYSTEMD);
    ManagedFile sshd = file(hardened, ClusterRenderer.SSHD_CONFIG).orElseThrow();
    assertThat(sshd.kind()).isEqualTo(ManagedFile.Kind.BLOCK_START);
    assertThat(sshd.content())
        .isEqualTo(
            "PasswordAuthentication no\nPermitRootLogin no\nChallengeResponseAuthentication no\n");
    assertThat(hardened.restartTriggers()).containsEntry("ssh", List.of("/etc/ssh/sshd_config"));

    spec.getSsh().setHarden(false);
    NodeConfig open = render(spec, "a1", SYSTEMD);
    assertThat(file(open, ClusterRenderer.SSHD_CONFIG)).isEmpty();
    assertThat(open.restartTriggers()).doesNotContainKey("ssh");
  }

  @Test
  void servicesPackagesAndTriggersOfAMaster() {
    NodeConfig m = render(TestInputs.spec(), "m1", SYSTEMD);
    assertThat(m.roleType()).isEqualTo(RoleType.MASTER);
    assertThat(m.hostname()).isEqualTo("m1");
    assertThat(m.services()).containsExactly("chrony", "zookeeper", "mesos-master", "marathon");
    assertThat(m.disabledServices()).containsExactly("mesos-slave");
    assertThat(m.packages()).containsExactly("mesosphere", "chrony", "nftables");
    assertThat(m.upgrade()).isTrue();
    assertThat(m.clockSync()).isTrue();
    assertThat(m.restartTriggers())
        .containsEntry(
            "zookeeper", List.of("/etc/zookeeper/conf/myid", "/etc/zookeeper/conf/zoo.cfg"))
        .containsEntry(
            "mesos-master",
            List.of(
                "/etc/mesos/zk",
                "/etc/mesos-master/quorum",
                "/etc/mesos-master/ip",
                "/etc/mesos-master/hostname"))
        .containsEntry(
            "marathon",
            List.of(
                "/etc/marathon/conf/hostname",
                "/etc/marathon/conf/master",
                "/etc/marathon/conf/zk"))
        .doesNotContainKey("mesos-slave");
    // Every trigger names a file the node actually manages.
    List<String> paths = m.files().stream().map(ManagedFile::path).toList();
    m.restartTriggers().values().forEach(ps -> assertThat(paths).containsAll(ps));
  }

  @Test
  void servicesPackagesAndTriggersOfAnAgentWithoutClockSync() {
    MesosClusterSpec spec = TestInputs.spec();
    spec.getOs().setClockSync(false);
    spec.getOs().setUpgrade(false);
    spec.getRoles().get(1).setPackages(List.of("mesos=1.4.0-2.0.1", "htop"));
    NodeConfig a = render(spec, "a1", SYSTEMD);
    assertThat(a.roleType()).isEqualTo(RoleType.AGENT);
    assertThat(a.services()).containsExactly("mesos-slave");
    assertThat(a.disabledServices()).containsExactly("zookeeper", "mesos-master");
    assertThat(a.packages()).containsExactly("mesos=1.4.0-2.0.1", "htop", "nftables");
    assertThat(a.upgrade()).isFalse();
    assertThat(a.clockSync()).isFalse();
    assertThat(a.restartTriggers())
        .containsEntry(
            "mesos-slave",
            List.of("/etc/mesos/zk", "/etc/mesos-slave/ip", "/etc/mesos-slave/hostname"));
    assertThat(a.files()).noneMatch(f -> f.path().startsWith("/etc/zookeeper"));
    assertThat(a.files()).noneMatch(f -> f.path().startsWith("/etc/mesos-master"));
  }

  @Test
  void overridesOnlyWithUpstartButDisabledServicesAlways() {
    for (InitStyle init : InitStyle.values()) {
      NodeConfig a = render(TestInputs.spec(), "a1", new NodeFacts("ubuntu", "trusty", init));
      assertThat(a.disabledServices()).containsExactly("zookeeper", "mesos-master");
      List<ManagedFile> overrides =
          a.files().stream().filter(f -> f.path().startsWith("/etc/init/")).toList();
      if (init == InitStyle.UPSTART) {
        assertThat(overrides)
            .containsExactly(
                ManagedFile.whole("/etc/init/zookeeper.override", "manual\n"),
                ManagedFile.whole("/etc/init/mesos-master.override", "manual\n"));
      } else {
        assertThat(overrides).as(init.name()).isEmpty();
      }
    }
  }

  @Test
  void unknownRoleAndMasterWithoutIdAreRefused() {
    MesosClusterSpec spec = TestInputs.spec();
    NodeInfo stranger = new NodeInfo("x", "nope", "10.0.0.9", null, null, null);
    assertThatThrownBy(() -> ClusterRenderer.render(spec, List.of(stranger), stranger, SYSTEMD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
    NodeInfo noId = new NodeInfo("m", "m", "10.0.0.1", null, null, null);
    assertThatThrownBy(() -> ClusterRenderer.render(spec, List.of(noId), noId, SYSTEMD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zkId");
  }

  @Test
  void digestIsStableAndChangesWithAnyFile() {
    MesosClusterSpec spec = TestInputs.spec();
    NodeConfig one = render(spec, "m1", SYSTEMD);
    NodeConfig two = render(spec, "m1", SYSTEMD);
    String digest = ClusterRenderer.digest(one);
    assertThat(digest).matches("[0-9a-f]{64}").isEqualTo(ClusterRenderer.digest(two));

    // One byte in one file.
    List<ManagedFile> files = new ArrayList<>(one.files());
    int i = files.indexOf(file(one, ClusterRenderer.ZK_MYID).orElseThrow());
    files.set(i, ManagedFile.whole(ClusterRenderer.ZK_MYID, "4\n"));
    NodeConfig edited =
        new NodeConfig(
            one.node(),
            one.roleType(),
            one.hostname(),
            files,
            one.aptSource(),
            one.packages(),
            one.upgrade(),
            one.clockSync(),
            one.services(),
            one.disabledServices(),
            one.restartTriggers());
    assertThat(ClusterRenderer.digest(edited)).isNotEqualTo(digest);

    // Another master's address reaches every master through zk and zoo.cfg.
    List<NodeInfo> moved = new ArrayList<>(NODES);
    moved.set(0, master("m3", "10.1.0.33", 3));
    NodeConfig m1Moved = ClusterRenderer.render(spec, moved, moved.get(2), SYSTEMD);
    assertThat(ClusterRenderer.digest(m1Moved)).isNotEqualTo(digest);

    // A setting that is not a file.
    spec.getOs().setUpgrade(false);
    assertThat(ClusterRenderer.digest(render(spec, "m1", SYSTEMD))).isNotEqualTo(digest);
  }

  @Test
  void digestDoesNotConfuseFieldBoundaries() {
    NodeConfig base = render(TestInputs.spec(), "a1", SYSTEMD);
    NodeConfig a =
        new NodeConfig(
            base.node(),
            base.roleType(),
            base.hostname(),
            base.files(),
            base.aptSource(),
            List.of("ab", "c"),
            base.upgrade(),
            base.clockSync(),
            base.services(),
            base.disabledServices(),
            base.restartTriggers());
    NodeConfig b =
        new NodeConfig(
            base.node(),
            base.roleType(),
            base.hostname(),
            base.files(),
            base.aptSource(),
            List.of("a", "bc"),
            base.upgrade(),
            base.clockSync(),
            base.services(),
            base.disabledServices(),
            base.restartTriggers());
    assertThat(ClusterRenderer.digest(a)).isNotEqualTo(ClusterRenderer.digest(b));
  }

  @Test
  void renderingIsPureSameInputsSameOutput() {
    MesosClusterSpec spec = TestInputs.spec();
    assertThat(ClusterRenderer.renderAll(spec, NODES, SYSTEMD))
        .isEqualTo(ClusterRenderer.renderAll(spec, NODES, SYSTEMD))
        .hasSize(4);
  }
}
