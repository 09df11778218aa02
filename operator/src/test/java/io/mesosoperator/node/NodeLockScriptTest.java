package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.plan.Action;
import io.mesosoperator.plan.PlanOptions.AdminAccount;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.testing.FakeRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One pass per node, with the real scripts and the real {@code flock(1)} under a directory standing
 * for the node's root: an apply holds the node's lock for its whole run and never lets a daemon it
 * starts keep it; a second apply waits (bounded) and then reports busy having changed nothing; an
 * observe waits until no apply runs; the lock goes with the apply's shell however it ends.
 */
class NodeLockScriptTest {
  @TempDir Path root;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopHelpers() throws Exception {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    for (String name : List.of("run/daemon.pid", "run/init.pid")) {
      Path pid = root.resolve(name);
      if (Files.exists(pid)) {
        new ProcessBuilder("kill", "-KILL", Files.readString(pid).strip()).start().waitFor();
      }
    }
  }

  private Path lock() {
    return root.resolve("run/lock/mesos-operator-apply.lock");
  }

  private Path tools() throws Exception {
    Path bin = Files.createDirectories(root.resolve("bin"));
    // The node's accounts: chown resolves the owner through the node's /etc.
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
    executable(
        bin.resolve("service"), "#!/bin/sh\nexec \"$FAKE_NODE_ROOT/etc/init.d/$1\" \"$2\"\n");
    // A service whose start says whether the node's lock is held meanwhile, and leaves a daemon
    // behind that holds every descriptor the init script had, as real init scripts do.
    executable(
        Files.createDirectories(root.resolve("etc/init.d")).resolve("demo"),
        "#!/bin/sh\n"
            + "R=$FAKE_NODE_ROOT\n"
            + "if flock -n \"$R/run/lock/mesos-operator-apply.lock\" true; then echo free;"
            + " else echo held; fi >>\"$R/calls.log\"\n"
            + "sleep 60 </dev/null >/dev/null 2>&1 &\n"
            + "echo $! >\"$R/run/daemon.pid\"\n"
            + "echo $$ >\"$R/run/init.pid\"\n"
            + "[ -z \"$DEMO_SLOW\" ] || exec sleep \"$DEMO_SLOW\"\n");
    return bin;
  }

  private static void executable(Path p, String body) throws IOException {
    Files.writeString(p, body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private String applyScript() {
    String user = "root";
    return RemoteScripts.apply(
        InitStyle.SYSVINIT,
        List.of(
            new Action.WriteFile(
                new ManagedFile("/etc/demo.conf", "x=1\n", "0644", user, ManagedFile.Kind.WHOLE),
                false,
                false),
            new Action.StartService("demo", InitStyle.SYSVINIT)),
        List.of());
  }

  record Run(int exit, String stdout, long millis) {}

  private Process start(String script, Path bin, String slow) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(FakeRoot.command(root, List.of("/bin/sh", "-s")));
    pb.environment().clear();
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    pb.environment().put("FAKE_NODE_ROOT", root.toString());
    if (slow != null) {
      pb.environment().put("DEMO_SLOW", slow);
    }
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(script.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  private Run run(String script, Path bin) throws Exception {
    long t0 = System.nanoTime();
    Process p = start(script, bin, null);
    // Read to the end: a helper or daemon that kept the script's stdout would hang here.
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, (System.nanoTime() - t0) / 1_000_000);
  }

  /** Holds the node's lock from outside, as another pass would, for {@code seconds}. */
  private Process holdLock(String seconds) throws Exception {
    Files.createDirectories(lock().getParent());
    Process p =
        new ProcessBuilder("flock", "-o", lock().toString(), "sleep", seconds)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true)
            .start();
    started.add(p);
    awaitLock(true, Duration.ofSeconds(5));
    return p;
  }

  private boolean lockHeld() throws Exception {
    Process p = new ProcessBuilder("flock", "-n", lock().toString(), "true").start();
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() != 0;
  }

  private void awaitLock(boolean held, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (lockHeld() != held) {
      assertThat(System.nanoTime())
          .as("lock held=" + held + " within " + limit)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void anApplyHoldsTheLockThroughoutAndNoDaemonItStartsKeepsIt() throws Exception {
    Run r = run(applyScript(), tools());
    assertThat(r.exit()).as(r.stdout()).isZero();
    assertThat(r.stdout()).contains("done.0\t1", "done.1\t1").doesNotContain("busy");
    assertThat(Files.readString(root.resolve("calls.log"))).isEqualTo("held\n");
    assertThat(root.resolve("etc/demo.conf")).hasContent("x=1");
    // The daemon still runs with the init script's descriptors, yet the lock is free at once.
    Path pid = root.resolve("run/daemon.pid");
    assertThat(ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())))
        .hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
    awaitLock(false, Duration.ofSeconds(2));
  }

  @Test
  void aSecondApplyWaitsBoundedThenReportsBusyAndChangesNothing() throws Exception {
    Path bin = tools();
    holdLock("30");
    Run r = run(applyScript(), bin);
    assertThat(r.exit()).isEqualTo(75);
    assertThat(RemoteScripts.busyWaited(r.stdout())).isEqualTo(5);
    assertThat(r.stdout()).doesNotContain("done.");
    assertThat(r.millis()).isBetween(4_500L, 15_000L);
    assertThat(root.resolve("etc/demo.conf")).doesNotExist();
    assertThat(root.resolve("calls.log")).doesNotExist();
  }

  @Test
  void anApplyThatFindsTheLockFreedSoonRunsWhole() throws Exception {
    Path bin = tools();
    holdLock("1.5");
    Run r = run(applyScript(), bin);
    assertThat(r.exit()).as(r.stdout()).isZero();
    assertThat(r.millis()).isGreaterThanOrEqualTo(1_000L);
    assertThat(root.resolve("etc/demo.conf")).hasContent("x=1");
  }

  @Test
  void theLockGoesWithTheApplysShellEvenWhenItIsKilled() throws Exception {
    Process apply = start(applyScript(), tools(), "30");
    started.add(apply);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.exists(root.resolve("calls.log"))) {
      assertThat(System.nanoTime()).as("the service started").isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(lockHeld()).isTrue();
    // Only the shell, as a dropped connection's sshd takes it down: its children stay.
    new ProcessBuilder("kill", "-KILL", Long.toString(apply.pid())).start().waitFor();
    awaitLock(false, Duration.ofSeconds(2));
  }

  @Test
  void observeWaitsUntilNoApplyHoldsTheLockThenLooks() throws Exception {
    Path bin = tools();
    String observe =
        RemoteScripts.observe(RemoteScripts.ObserveSpec.of(List.of(), (AdminAccount) null));
    Run quiet = run(observe, bin);
    assertThat(quiet.stdout()).contains("init\t").doesNotContain("busy");

    holdLock("1.5");
    Run waited = run(observe, bin);
    assertThat(waited.millis()).isGreaterThanOrEqualTo(1_000L);
    assertThat(waited.stdout()).contains("init\t");
    assertThat(RemoteScripts.busyWaited(waited.stdout())).isEqualTo(-1);
  }
}
