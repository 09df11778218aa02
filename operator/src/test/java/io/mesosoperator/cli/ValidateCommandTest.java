package io.mesosoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  static final String VALID =
      """
      apiVersion: mesosoperator.io/v1alpha1
      kind: MesosCluster
      metadata:
        name: demo
      spec:
        cloud:
          provider: local
        roles:
          - name: master
            type: master
            replicas: 3
          - name: agent
            type: agent
            replicas: 3
      """;

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  /** Runs the real command line with stdout and stderr captured. */
  static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void aValidFileExitsZero() throws IOException {
    Path f = write("ok.yaml", VALID);
    Run r = run("validate", "-f", f.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(f + ": OK" + System.lineSeparator());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void eachErrorIsOneLineOnStderrWithFileAndPath() throws IOException {
    Path f =
        write(
            "bad.yaml",
            VALID.replace("replicas: 3\n    - name: agent", "replicas: 4\n    - name: agent")
                + "  ssh:\n    user: root\n");
    Run r = run("validate", "-f", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines())
        .containsExactly(
            f + ": spec.ssh.user: must not be root: root login is disabled on every node",
            f
                + ": spec.roles[0].replicas: master replicas must be odd (the Mesos quorum is a"
                + " strict majority); got 4");
  }

  @Test
  void severalFilesAfterOneOptionOrRepeated() throws IOException {
    Path a = write("a.yaml", VALID);
    Path b = write("b.yaml", VALID.replace("name: demo", "name: other"));
    Run one = run("validate", "-f", a.toString(), b.toString());
    assertThat(one.code()).isZero();
    assertThat(one.out()).contains(a + ": OK", b + ": OK", "2 of 2 files valid");
    Run repeated = run("validate", "-f", a.toString(), "--filename", b.toString());
    assertThat(repeated.code()).isZero();
    assertThat(repeated.out()).contains(a + ": OK", b + ": OK");
  }

  @Test
  void oneBadFileAmongGoodOnesFailsTheRun() throws IOException {
    Path a = write("a.yaml", VALID);
    Path missing = dir.resolve("missing.yaml");
    Run r = run("validate", "-f", a.toString(), "-f", missing.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains(a + ": OK", "1 of 2 files valid");
    assertThat(r.err().lines()).containsExactly(missing + ": <file>: cannot read: no such file");
  }

  @Test
  void brokenYamlReportsLineAndColumn() throws IOException {
    Path f = write("broken.yaml", "apiVersion: mesosoperator.io/v1alpha1\nkind: [MesosCluster\n");
    Run r = run("validate", "-f", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith(f + ": <document>: invalid YAML at line ");
  }

  @Test
  void noFileIsAUsageError() {
    Run r = run("validate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("-f");
  }
}
