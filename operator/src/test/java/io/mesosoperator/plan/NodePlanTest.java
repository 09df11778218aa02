package io.mesosoperator.plan;

import static io.mesosoperator.plan.PlanFixtures.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.plan.Observation.ServiceState;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodePlanTest {

  @Test
  void freshUpstartMasterGetsTheWholeConvergenceInOrder() throws Exception {
    NodeConfig master = PlanFixtures.master(InitStyle.UPSTART);
    List<Action> plan =
        NodePlan.diff(master, PlanFixtures.fresh(InitStyle.UPSTART), new PlanOptions(ADMIN, true));
    Golden.assertMatches("plan/master-upstart-fresh.txt", NodePlan.render(plan));
    // Restarts follow the services' start order.
    List<String> restarted =
        plan.stream()
            .filter(a -> a instanceof Action.RestartService)
            .map(a -> ((Action.RestartService) a).name())
            .toList();
    assertThat(restarted).containsExactly("zookeeper", "mesos-master", "marathon");
  }

  @Test
  void freshSystemdMasterDisablesWithSystemctl() throws Exception {
    NodeConfig master = PlanFixtures.master(InitStyle.SYSTEMD);
    List<Action> plan =
        NodePlan.diff(master, PlanFixtures.fresh(InitStyle.SYSTEMD), new PlanOptions(ADMIN, true));
    Golden.assertMatches("plan/master-systemd-fresh.txt", NodePlan.render(plan));
  }

  @Test
  void convergedNodeGivesAnEmptyPlan() {
    for (InitStyle init : InitStyle.values()) {
      NodeConfig master = PlanFixtures.master(init);
      assertThat(
              NodePlan.diff(
                  master,
                  PlanFixtures.converged(master, init, ADMIN),
                  new PlanOptions(ADMIN, true)))
          .as(init.name())
          .isEmpty();
    }
  }

  private static Observation withRunning(Observation o, String hostname, Map<String, String> sshd) {
    return new Observation(
        o.facts(),
        o.wholeDigests(),
        o.blockDigests(),
        o.packages(),
        o.services(),
        o.aptKeyPresent(),
        o.upgraded(),
        o.adminExists(),
        o.adminKeyAuthorized(),
        sshd,
        o.clock(),
        o.appliedDigest(),
        o.started(),
        hostname);
  }

  @Test
  void theRunningHostnameIsSetWhenItDiffersAndOnlyThen() {
    NodeConfig master = PlanFixtures.master(InitStyle.SYSVINIT);
    Observation converged = PlanFixtures.converged(master, InitStyle.SYSVINIT, ADMIN);
    PlanOptions options = new PlanOptions(ADMIN, true);

    Observation wrong = withRunning(converged, "localhost", converged.sshd());
    assertThat(NodePlan.diff(master, wrong, options))
        .containsExactly(new Action.SetHostname(master.hostname()));
    // Known and right, or not known at all: nothing to do.
    assertThat(
            NodePlan.diff(
                master, withRunning(converged, master.hostname(), converged.sshd()), options))
        .isEmpty();
    assertThat(NodePlan.diff(master, withRunning(converged, "", converged.sshd()), options))
        .isEmpty();
  }

  @Test
  void sshdSettingsThatUndoTheHardeningAreNamed() {
    Observation o =
        PlanFixtures.converged(PlanFixtures.master(InitStyle.SYSVINIT), InitStyle.SYSVINIT, ADMIN);
    assertThat(
            NodePlan.sshdNotHardened(
                withRunning(
                    o,
                    "",
                    Map.of(
                        "passwordauthentication", "no",
                        "permitrootlogin", "no",
                        "kbdinteractiveauthentication", "no"))))
        .isEmpty();
    // Unknown (no sshd, an old sshd that does not report a setting): nothing claimed.
    assertThat(NodePlan.sshdNotHardened(withRunning(o, "", Map.of()))).isEmpty();
    assertThat(
            NodePlan.sshdNotHardened(
                withRunning(
                    o,
                    "",
                    Map.of(
                        "passwordauthentication", "yes",
                        "permitrootlogin", "without-password",
                        "kbdinteractiveauthentication", "no"))))
        .containsExactly("passwordauthentication yes", "permitrootlogin without-password");
  }

  @Test
  void driftIsRestoredAndOnlyItsServicesRestart() throws Exception {
    NodeConfig master = PlanFixtures.master(InitStyle.UPSTART);
    Observation converged = PlanFixtures.converged(master, InitStyle.UPSTART, ADMIN);
    Map<String, String> whole = new HashMap<>(converged.wholeDigests());
    whole.put("/etc/mesos/zk", Digests.sha256("zk://localhost:2181/mesos\n"));
    Observation drifted = withWhole(converged, whole);
    List<Action> plan = NodePlan.diff(master, drifted, new PlanOptions(ADMIN, true));
    Golden.assertMatches("plan/master-upstart-drift.txt", NodePlan.render(plan));
    assertThat(plan.get(0)).isInstanceOf(Action.WriteFile.class);
    assertThat(((Action.WriteFile) plan.get(0)).restore()).isTrue();
  }

  @Test
  void aChangedConfigurationIsAnUpdateNotARestore() {
    NodeConfig master = PlanFixtures.master(InitStyle.UPSTART);
    Observation converged = PlanFixtures.converged(master, InitStyle.UPSTART, ADMIN);
    List<ManagedFile> files =
        master.files().stream()
            .map(
                f ->
                    f.path().equals("/etc/mesos-master/quorum")
                        ? ManagedFile.whole(f.path(), "3\n")
                        : f)
            .toList();
    NodeConfig changed = withFiles(master, files);
    List<Action> plan = NodePlan.diff(changed, converged, new PlanOptions(ADMIN, true));
    assertThat(plan).hasSize(4);
    assertThat(((Action.WriteFile) plan.get(0)).restore()).isFalse();
    assertThat(plan.get(1))
        .isEqualTo(
            new Action.RestartService(
                "mesos-master", InitStyle.UPSTART, List.of("/etc/mesos-master/quorum")));
    // The record of what mesos-master runs follows its restart, so it is written only after it.
    assertThat(plan.get(2))
        .isEqualTo(
            new Action.RecordStarted(
                "mesos-master",
                NodePlan.STARTED_DIR + "mesos-master",
                ConfigDigest.ofService(changed, "mesos-master")));
    assertThat(plan.get(3)).isInstanceOf(Action.RecordDigest.class);
  }

  /**
   * A pass that wrote the new quorum and died before restarting mesos-master: the files are right,
   * the record still names the inputs it was started with. The next plan restarts it.
   */
  @Test
  void aRestartAnInterruptedPassDidNotMakeIsMadeByTheNext() throws Exception {
    NodeConfig master = PlanFixtures.master(InitStyle.UPSTART);
    NodeConfig changed = quorum(master, "3\n");
    Observation before = PlanFixtures.converged(master, InitStyle.UPSTART, ADMIN);
    // Files written, restarts not made, digest not recorded: the apply stopped in between.
    Observation interrupted =
        withWhole(PlanFixtures.converged(changed, InitStyle.UPSTART, ADMIN), before);
    List<Action> plan = NodePlan.diff(changed, interrupted, new PlanOptions(ADMIN, true));
    Golden.assertMatches("plan/master-upstart-interrupted.txt", NodePlan.render(plan));
    assertThat(plan)
        .noneMatch(a -> a instanceof Action.WriteFile)
        .contains(
            new Action.RestartService(
                "mesos-master", InitStyle.UPSTART, List.of(NodePlan.STARTED_OLDER)));
    // zookeeper and marathon read nothing that changed: left alone.
    assertThat(plan)
        .filteredOn(a -> a instanceof Action.RestartService)
        .extracting(a -> ((Action.RestartService) a).name())
        .containsExactly("mesos-master");

    // The same once the restart ran and the record was written but the pass died before its
    // digest record: nothing restarts again, the digest is recorded.
    Observation restarted =
        withWhole(PlanFixtures.converged(changed, InitStyle.UPSTART, ADMIN), before)
            .withStarted(PlanFixtures.converged(changed, InitStyle.UPSTART, ADMIN).started());
    assertThat(NodePlan.diff(changed, restarted, new PlanOptions(ADMIN, true)))
        .singleElement()
        .isInstanceOf(Action.RecordDigest.class);
  }

  /**
   * A node converged by an operator that kept no start records: where its last complete apply was
   * this configuration (restarts included), the services are taken to run it: records only. Where
   * it was another configuration, what runs is not known: restart.
   */
  @Test
  void aNodeWithoutStartRecordsIsTrustedOnlyWhereItsLastApplyWasThisConfiguration() {
    NodeConfig master = PlanFixtures.master(InitStyle.SYSTEMD);
    Observation old =
        PlanFixtures.converged(master, InitStyle.SYSTEMD, ADMIN).withStarted(Map.of());
    List<Action> plan = NodePlan.diff(master, old, new PlanOptions(ADMIN, true));
    assertThat(plan)
        .extracting(Action::describe)
        .containsExactly(
            "record zookeeper started with " + ConfigDigest.ofService(master, "zookeeper"),
            "record mesos-master started with " + ConfigDigest.ofService(master, "mesos-master"),
            "record marathon started with " + ConfigDigest.ofService(master, "marathon"));

    NodeConfig changed = quorum(master, "3\n");
    Observation filesOnly =
        withWhole(PlanFixtures.converged(changed, InitStyle.SYSTEMD, ADMIN), old)
            .withStarted(Map.of());
    assertThat(NodePlan.diff(changed, filesOnly, new PlanOptions(ADMIN, true)))
        .filteredOn(a -> a instanceof Action.RestartService)
        .extracting(Action::describe)
        .containsExactly(
            "restart zookeeper (changed: " + NodePlan.NOT_RECORDED + ")",
            "restart mesos-master (changed: " + NodePlan.NOT_RECORDED + ")",
            "restart marathon (changed: " + NodePlan.NOT_RECORDED + ")");
  }

  /** The observation {@code files} shows, with the applied digest of {@code before}. */
  private static Observation withWhole(Observation files, Observation before) {
    return new Observation(
        files.facts(),
        files.wholeDigests(),
        files.blockDigests(),
        files.packages(),
        files.services(),
        files.aptKeyPresent(),
        files.upgraded(),
        files.adminExists(),
        files.adminKeyAuthorized(),
        files.sshd(),
        files.clock(),
        before.appliedDigest(),
        before.started());
  }

  static NodeConfig quorum(NodeConfig c, String quorum) {
    return withFiles(
        c,
        c.files().stream()
            .map(
                f ->
                    f.path().equals("/etc/mesos-master/quorum")
                        ? ManagedFile.whole(f.path(), quorum)
                        : f)
            .toList());
  }

  @Test
  void hardeningIsHeldBackWithoutAVerifiedAdminAndTheDigestIsNotRecorded() {
    NodeConfig master = PlanFixtures.master(InitStyle.UPSTART);
    List<Action> plan =
        NodePlan.diff(master, PlanFixtures.fresh(InitStyle.UPSTART), new PlanOptions(ADMIN, false));
    assertThat(plan)
        .noneMatch(
            a -> a instanceof Action.WriteFile w && w.file().path().equals("/etc/ssh/sshd_config"))
        .noneMatch(a -> a instanceof Action.ReloadSsh)
        .noneMatch(a -> a instanceof Action.RecordDigest)
        .anyMatch(a -> a instanceof Action.EnsureAdmin);
  }

  @Test
  void upgradeOnlyWhileTheMarkerIsAbsentAndPinnedVersionsAreCompared() {
    NodeConfig master = PlanFixtures.master(InitStyle.SYSTEMD);
    Observation converged = PlanFixtures.converged(master, InitStyle.SYSTEMD, ADMIN);
    NodeConfig pinned =
        new NodeConfig(
            master.node(),
            master.roleType(),
            master.hostname(),
            master.files(),
            master.aptSource(),
            List.of("mesos=1.0", "marathon=2.0"),
            master.upgrade(),
            master.clockSync(),
            master.services(),
            master.disabledServices(),
            master.restartTriggers());
    List<Action> plan = NodePlan.diff(pinned, converged, new PlanOptions(ADMIN, true));
    assertThat(plan).noneMatch(a -> a instanceof Action.Upgrade);
    assertThat(plan).contains(new Action.InstallPackages(List.of("marathon=2.0")));
  }

  @Test
  void aServiceThatIsNotInstalledIsNotStartedUnlessThePlanInstallsPackages() {
    NodeConfig master = PlanFixtures.master(InitStyle.SYSVINIT);
    Observation converged = PlanFixtures.converged(master, InitStyle.SYSVINIT, ADMIN);
    Map<String, ServiceState> services = new HashMap<>(converged.services());
    services.put("marathon", new ServiceState(false, false, false));
    Observation o = withServices(converged, services, converged.packages());
    assertThat(NodePlan.diff(master, o, new PlanOptions(ADMIN, true))).isEmpty();

    // A package install in the same plan may bring the service: keep its start.
    Map<String, String> packages = new HashMap<>(converged.packages());
    packages.remove("marathon");
    assertThat(
            NodePlan.diff(master, withServices(converged, services, packages), PlanOptions.DEFAULT))
        .contains(new Action.StartService("marathon", InitStyle.SYSVINIT));
  }

  private static Observation withServices(
      Observation o, Map<String, ServiceState> services, Map<String, String> packages) {
    return new Observation(
        o.facts(),
        o.wholeDigests(),
        o.blockDigests(),
        packages,
        services,
        o.aptKeyPresent(),
        o.upgraded(),
        o.adminExists(),
        o.adminKeyAuthorized(),
        o.sshd(),
        o.clock(),
        o.appliedDigest(),
        o.started());
  }

  @Test
  void stoppedServicesAreStartedAndChronyEnabled() {
    NodeConfig master = PlanFixtures.master(InitStyle.SYSVINIT);
    Observation converged = PlanFixtures.converged(master, InitStyle.SYSVINIT, ADMIN);
    Map<String, ServiceState> services = new HashMap<>(converged.services());
    services.put("marathon", ServiceState.STOPPED);
    services.put("chrony", new ServiceState(true, false));
    services.put("mesos-slave", new ServiceState(false, true));
    Observation o =
        new Observation(
            converged.facts(),
            converged.wholeDigests(),
            converged.blockDigests(),
            converged.packages(),
            services,
            true,
            true,
            true,
            true,
            converged.sshd(),
            "synced",
            converged.appliedDigest(),
            converged.started());
    assertThat(NodePlan.render(NodePlan.diff(master, o, new PlanOptions(ADMIN, true))))
        .isEqualTo(
            "disable mesos-slave (update-rc.d disable, stop)\n"
                + "start marathon\n"
                + "enable clock sync (chrony)\n");
  }

  @Test
  void configDigestIsStableAndSensitiveToContent() {
    NodeConfig a = PlanFixtures.master(InitStyle.UPSTART);
    assertThat(ConfigDigest.of(a))
        .isEqualTo(ConfigDigest.of(PlanFixtures.master(InitStyle.UPSTART)));
    assertThat(ConfigDigest.of(a)).startsWith("sha256:").hasSize(7 + 64);
    assertThat(ConfigDigest.of(a))
        .isNotEqualTo(ConfigDigest.of(PlanFixtures.master(InitStyle.SYSTEMD)));
  }

  private static Observation withWhole(Observation o, Map<String, String> whole) {
    return new Observation(
        o.facts(),
        whole,
        o.blockDigests(),
        o.packages(),
        o.services(),
        o.aptKeyPresent(),
        o.upgraded(),
        o.adminExists(),
        o.adminKeyAuthorized(),
        o.sshd(),
        o.clock(),
        o.appliedDigest(),
        o.started());
  }

  static NodeConfig withFiles(NodeConfig c, List<ManagedFile> files) {
    return new NodeConfig(
        c.node(),
        c.roleType(),
        c.hostname(),
        files,
        c.aptSource(),
        c.packages(),
        c.upgrade(),
        c.clockSync(),
        c.services(),
        c.disabledServices(),
        c.restartTriggers());
  }
}
