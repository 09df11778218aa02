package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.plan.Action;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.testing.FakeRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing a master on sysvinit: {@code update-rc.d NAME disable} fails for a service that has no
 * runlevel links at all (started by hand), which is already disabled for boot; the stop must still
 * happen and the step succeed.
 */
class SysvDisableScriptTest {
  @TempDir Path root;

  private Path tools() throws Exception {
    Path bin = Files.createDirectories(root.resolve("bin"));
    for (String tool : List.of("update-rc.d", "service")) {
      Path p = bin.resolve(tool);
      // Like Debian's update-rc.d: "disable" without links is an error.
      String body =
          tool.equals("update-rc.d")
              ? "ls \"$FAKE_NODE_ROOT\"/etc/rc2.d/S??\"$1\" >/dev/null 2>&1 || exit 1\n"
              : "";
      Files.writeString(
          p,
          "#!/bin/sh\necho \""
              + tool
              + " $*\" >> \"$FAKE_NODE_ROOT/calls.log\"\n"
              + body
              + "exit 0\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin;
  }

  private int run(Path bin) throws Exception {
    String script =
        RemoteScripts.apply(
            InitStyle.SYSVINIT,
            List.of(new Action.DisableService("zookeeper", InitStyle.SYSVINIT)),
            List.of("zookeeper"));
    ProcessBuilder pb = new ProcessBuilder(FakeRoot.command(root, List.of("/bin/sh", "-s")));
    pb.environment().clear();
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    pb.environment().put("FAKE_NODE_ROOT", root.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(script.getBytes(StandardCharsets.UTF_8));
    }
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  private String calls() throws Exception {
    Path log = root.resolve("calls.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Test
  void withoutRunlevelLinksTheServiceIsOnlyStopped() throws Exception {
    assertThat(run(tools())).isZero();
    assertThat(calls()).doesNotContain("update-rc.d").contains("service zookeeper stop");
  }

  @Test
  void withStartLinksItIsDisabledThenStopped() throws Exception {
    Path rc2 = Files.createDirectories(root.resolve("etc/rc2.d"));
    Files.writeString(rc2.resolve("S01zookeeper"), "");
    assertThat(run(tools())).isZero();
    assertThat(calls()).contains("update-rc.d zookeeper disable", "service zookeeper stop");
  }
}
