package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.plan.Action;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.testing.FakeRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection dropped while the apply script is still on its way: the remote side ({@link
 * SshjSessions#SHELL}) reads what arrived and runs it. Whatever the cut, a managed file must end
 * with its old or its new content, never a mix or an empty file.
 */
class RemoteScriptsTruncationTest {
  private static final String PATH = "/etc/mo-test/app.conf";
  private static final String OLD = "old content\n";
  private static final String NEW = "new content, longer than the old one\n";

  @TempDir Path dir;

  @Test
  void aScriptCutAnywhereWritesTheOldOrTheNewContentOnly() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    // chown to root:root is not what this test is about (and needs root): a stub.
    Path chown = bin.resolve("chown");
    Files.writeString(chown, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(chown, PosixFilePermissions.fromString("rwxr-xr-x"));
    String script =
        RemoteScripts.apply(
            InitStyle.SYSVINIT,
            List.of(new Action.WriteFile(ManagedFile.whole(PATH, NEW), false, true)),
            List.of());
    int from = script.indexOf("write_whole ");
    assertThat(from).isPositive();
    List<String> seen = new ArrayList<>();
    int cuts = 0;
    for (int cut = from; cut <= script.length(); cut++) {
      Path root = Files.createDirectories(dir.resolve("root" + cut));
      Path file = root.resolve(PATH.substring(1));
      Files.createDirectories(file.getParent());
      Files.writeString(file, OLD);
      run(root, bin, script.substring(0, cut));
      String after = Files.readString(file);
      assertThat(after).as("content after a cut at %d of %d", cut, script.length()).isIn(OLD, NEW);
      if (!seen.contains(after)) {
        seen.add(after);
      }
      cuts++;
    }
    assertThat(cuts).isGreaterThan(50);
    assertThat(seen).contains(OLD);
    // The whole script does write the new content.
    assertThat(seen).contains(NEW);
  }

  @Test
  void aWriteRemovesTempFilesAPassThatDiedLeftBeside() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path chown = bin.resolve("chown");
    Files.writeString(chown, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(chown, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path root = Files.createDirectories(dir.resolve("root"));
    Path file = root.resolve(PATH.substring(1));
    Files.createDirectories(file.getParent());
    Files.writeString(file, OLD);
    Path stale = file.resolveSibling(".mesos-operator.Ab12Cd");
    Path other = file.resolveSibling(".mesos-operator.notours");
    Files.writeString(stale, "half of a write");
    Files.writeString(other, "not a temp name of ours");
    run(
        root,
        bin,
        RemoteScripts.apply(
            InitStyle.SYSVINIT,
            List.of(new Action.WriteFile(ManagedFile.whole(PATH, NEW), false, true)),
            List.of()));
    assertThat(Files.readString(file)).isEqualTo(NEW);
    assertThat(stale).doesNotExist();
    assertThat(other).exists();
    try (var files = Files.list(file.getParent())) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("app.conf", ".mesos-operator.notours");
    }
  }

  private static void run(Path root, Path bin, String script) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(FakeRoot.command(root, List.of("/bin/sh", "-c", SshjSessions.SHELL)));
    pb.environment().clear();
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    pb.environment().put("FAKE_NODE_ROOT", root.toString());
    pb.environment().put("LC_ALL", "C");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(script.getBytes(StandardCharsets.UTF_8));
    }
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }
}
