package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.node.RemoteScripts.FileRef;
import io.mesosoperator.node.RemoteScripts.ObserveSpec;
import io.mesosoperator.testing.FakeRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The observe script's own parsing, run with /bin/sh on a fake root: distribution facts read with
 * shell builtins, and whole files digested by one sha256sum whose lines are matched back to their
 * indexes.
 */
class ObserveScriptTest {
  @TempDir Path root;

  private Map<String, String> observe(List<FileRef> files) throws Exception {
    String script = RemoteScripts.observe(new ObserveSpec(files, List.of(), List.of(), null, null));
    ProcessBuilder pb = new ProcessBuilder(FakeRoot.command(root, List.of("/bin/sh", "-s")));
    pb.environment().put("FAKE_NODE_ROOT", root.toString());
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(script.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Map<String, String> keys = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] kv = line.split("\t", 2);
      keys.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    return keys;
  }

  private void write(String path, String content) throws Exception {
    Path p = root.resolve(path.substring(1));
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private static String sha256(String content) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '^',
      value = {
        "/etc/os-release|ID=ubuntu\\nVERSION_CODENAME=trusty\\n|ubuntu|trusty",
        "/etc/os-release|NAME=\"Ubuntu\"\\nID=\"Ubuntu\"\\nVERSION_CODENAME=\"trusty\"|ubuntu|trusty",
        "/etc/os-release|ID='debian'\\nUBUNTU_CODENAME=jammy\\n|debian|jammy",
        "/etc/os-release|PRETTY_NAME=x\\nID=debian\\nVERSION_CODENAME=bookworm\\nID=other\\n|debian|bookworm",
        "/etc/lsb-release|DISTRIB_ID=Ubuntu\\nDISTRIB_CODENAME=trusty\\n|ubuntu|trusty",
      })
  void distributionFactsComeFromReleaseFiles(
      String file, String content, String distro, String codename) throws Exception {
    write(file, content.replace("\\n", "\n"));
    Map<String, String> out = observe(List.of());
    assertThat(out).containsEntry("distro", distro).containsEntry("codename", codename);
  }

  @Test
  void wholeFilesAreDigestedTogetherAndKeepTheirIndexes() throws Exception {
    write("/etc/a", "alpha\n");
    write("/etc/with space/c", "gamma");
    write("/etc/hosts", "127.0.0.1 localhost\n");
    Files.createDirectories(root.resolve("etc/dir"));
    Map<String, String> out =
        observe(
            List.of(
                new FileRef("/etc/a", false),
                new FileRef("/etc/missing", false),
                new FileRef("/etc/hosts", true),
                new FileRef("/etc/with space/c", false),
                new FileRef("/etc/dir", false)));
    assertThat(out)
        .containsEntry("file.0", sha256("alpha\n"))
        .containsEntry("file.1", "absent")
        .containsEntry("file.2", "absent") // no managed block in it
        .containsEntry("file.3", sha256("gamma"))
        .containsEntry("file.4", "absent"); // a directory is not a file
  }

  @Test
  void noWholeFileLeavesNothingToDigest() throws Exception {
    Map<String, String> out = observe(List.of(new FileRef("/etc/missing", false)));
    assertThat(out).containsEntry("file.0", "absent").containsKey("clock");
  }
}
