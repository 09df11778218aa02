package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.node.RemoteScripts.ObserveSpec;
import io.mesosoperator.plan.NodePlan;
import io.mesosoperator.plan.Observation;
import io.mesosoperator.plan.PlanOptions.AdminAccount;
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
 * Which logins the observe script asks sshd about (sshd -T -C, one connection each), run by the
 * real /bin/sh with a fake sshd that records each question and answers as a {@code Match Address}
 * block for the operator's address would.
 */
class ObserveSshdScriptTest {
  private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheTest admin";

  private static final ObserveSpec SPEC =
      new ObserveSpec(List.of(), List.of(), List.of(), null, new AdminAccount("mesosadmin", KEY));

  @TempDir Path root;

  @Test
  void everyLoginThatMattersIsAskedForAndAMatchAddressBlockIsNamed() throws Exception {
    write(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\n"
            + "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
            + "mesosadmin:x:1000:1000::/home/mesosadmin:/bin/bash\n"
            + "alice:x:1001:1001::/home/alice:/bin/sh\n"
            + "bob:x:1002:1002::/home/bob:/bin/false\n"
            + "carol:x:1003:1003::/home/carol:/bin/bash\n"
            + "dave:x:1004:1004::/home/dave:/bin/bash\n"
            + "erin:x:1005:1005::/home/erin:/bin/bash\n");
    write("/etc/shells", "# /etc/shells: valid login shells\n/bin/sh\n/bin/bash\n");
    String out =
        observe(
            "case \"$3\" in *,addr=10.9.9.9,*) echo 'passwordauthentication yes' ;;"
                + " *) echo 'passwordauthentication no' ;; esac\n");

    // The admin, root, then at most three more accounts with a shell in /etc/shells, in the order
    // of /etc/passwd (bob's /bin/false and daemon's nologin are no login shells; erin is a 4th).
    List<String> asked = Files.readAllLines(root.resolve("asked"));
    List<String> expected = new java.util.ArrayList<>();
    for (String u : List.of("mesosadmin", "root", "alice", "carol", "dave")) {
      for (String a : List.of("10.9.9.9", "203.0.113.1")) {
        expected.add("user=" + u + ",host=" + a + ",addr=" + a + ",lport=2222,laddr=10.9.9.20");
      }
    }
    assertThat(asked).containsExactlyElementsOf(expected);

    Observation o = RemoteScripts.parseObservation(out, SPEC);
    assertThat(NodePlan.sshdNotHardened(o))
        .containsExactly(
            "passwordauthentication yes for mesosadmin from 10.9.9.9; root from 10.9.9.9;"
                + " alice from 10.9.9.9; carol from 10.9.9.9; dave from 10.9.9.9");
  }

  @Test
  void anOlderSshdWithoutLocalAddressCriteriaIsAskedWithoutThem() throws Exception {
    write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    String out =
        observe(
            "case \"$3\" in *laddr=*) echo \"Bad Match spec\" >&2; exit 255 ;; esac\n"
                + "echo 'passwordauthentication no'\n");
    assertThat(Files.readAllLines(root.resolve("asked")))
        .contains(
            "user=mesosadmin,host=10.9.9.9,addr=10.9.9.9,lport=2222,laddr=10.9.9.20",
            "user=mesosadmin,host=10.9.9.9,addr=10.9.9.9");
    Observation o = RemoteScripts.parseObservation(out, SPEC);
    assertThat(o.sshd()).containsEntry("0.passwordauthentication", "no");
    assertThat(NodePlan.sshdNotHardened(o)).isEmpty();
  }

  @Test
  void anSshdThatRefusesItsConfigurationIsReported() throws Exception {
    write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    String out =
        observe(
            "echo '/etc/ssh/sshd_config line 3: Bad configuration option: Nope' >&2; exit 255\n");
    assertThat(NodePlan.sshdNotHardened(RemoteScripts.parseObservation(out, SPEC)))
        .containsExactly(
            "sshd -T could not tell its effective settings:"
                + " /etc/ssh/sshd_config line 3: Bad configuration option: Nope");
  }

  /**
   * Runs the observe script as the operator's sudo would, with a fake sshd that records each
   * question and then runs {@code answer} (its $3 is the connection spec).
   */
  private String observe(String answer) throws Exception {
    Path bin = Files.createDirectories(root.resolve("bin"));
    Path sshd = bin.resolve("sshd");
    Files.writeString(
        sshd,
        "#!/bin/sh\n"
            + "[ \"$1\" = -T ] && [ \"$2\" = -C ] || exit 1\n"
            + "echo \"$3\" >>\"$FAKE_NODE_ROOT/asked\"\n"
            + answer
            + "echo 'permitrootlogin no'\necho 'kbdinteractiveauthentication no'\n");
    Files.setPosixFilePermissions(sshd, PosixFilePermissions.fromString("rwxr-xr-x"));

    ProcessBuilder pb = new ProcessBuilder(FakeRoot.command(root, List.of("/bin/sh", "-s")));
    pb.environment().clear();
    pb.environment().put("PATH", bin + ":/usr/bin:/bin:/usr/sbin:/sbin");
    pb.environment().put("FAKE_NODE_ROOT", root.toString());
    // The session as the operator's sudo hands it over: client, client port, node, node port.
    pb.environment().put("MESOS_OPERATOR_SSH", "10.9.9.9 40000 10.9.9.20 2222");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(RemoteScripts.observe(SPEC).getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    return out;
  }

  private void write(String path, String content) throws Exception {
    Path p = root.resolve(path.substring(1));
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }
}
