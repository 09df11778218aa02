package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.testing.FakeRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup script run by the real /bin/sh in a fake root (FAKE_NODE_ROOT). */
class SshZooKeeperBackupTest {
  static final Instant NOW = Instant.parse("2026-11-22T03:15:00Z");

  @TempDir Path root;
  final List<String> scripts = new ArrayList<>();

  /** Sessions that run each script locally with /bin/sh, as the node's shell would. */
  final SshSessions local =
      (host, port, login, pinned) ->
          new SshSession() {
            @Override
            public String hostKey() {
              return pinned;
            }

            @Override
            public String user() {
              return login.user();
            }

            @Override
            public Exec run(String script) throws IOException {
              scripts.add(script);
              ProcessBuilder pb =
                  new ProcessBuilder(FakeRoot.command(root, List.of("/bin/sh", "-s")));
              pb.environment().put("FAKE_NODE_ROOT", root.toString());
              Process p = pb.start();
              p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
              p.getOutputStream().close();
              String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                  p.destroyForcibly();
                  throw new IOException("script timed out");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
              }
              return new Exec(p.exitValue(), out, err);
            }

            @Override
            public void close() {}
          };

  final ZooKeeperBackup.Target target =
      new ZooKeeperBackup.Target(
          "demo-master-0", "127.0.0.1", 22, SshSessions.Login.key("root", "k", "p"), "SHA256:x");

  Path data;

  @BeforeEach
  void zooKeeperData() throws IOException {
    Path conf = root.resolve("etc/zookeeper/conf");
    Files.createDirectories(conf);
    Files.writeString(conf.resolve("zoo.cfg"), "tickTime=2000\ndataDir=/var/lib/zookeeper\n");
    data = root.resolve("var/lib/zookeeper/version-2");
    Files.createDirectories(data);
    write("snapshot.100000000", 100);
    write("snapshot.200000005", 300); // the newest: highest zxid
    write("snapshot.f0", 50);
    write("log.100000001", 1000); // before the newest snapshot's log: not needed
    write("log.200000001", 2000); // holds the snapshot's zxid: needed
    write("log.200000010", 700); // after it: needed
  }

  void write(String name, int size) throws IOException {
    Files.write(data.resolve(name), new byte[size]);
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void copiesTheNewestSnapshotAndTheLogsARestoreNeeds() throws IOException {
    ZooKeeperBackup.Result r = new SshZooKeeperBackup(local).backup(target, "demo", NOW);
    assertThat(r.path()).isEqualTo("/var/backups/mesos-operator/zookeeper/demo-20261122T031500Z");
    assertThat(r.files()).isEqualTo(3);
    assertThat(r.bytes()).isEqualTo(300 + 2000 + 700);
    Path copy = root.resolve(r.path().substring(1));
    assertThat(names(copy)).containsExactly("log.200000001", "log.200000010", "snapshot.200000005");
    assertThat(Files.size(copy.resolve("log.200000001"))).isEqualTo(2000);
    assertThat(names(copy.getParent())).containsExactly("demo-20261122T031500Z");
  }

  @Test
  void readsDataDirAndDataLogDirFromZooCfg() throws IOException {
    Path elsewhere = root.resolve("srv/zk/version-2");
    Path logs = root.resolve("srv/zklog/version-2");
    Files.createDirectories(elsewhere);
    Files.createDirectories(logs);
    Files.write(elsewhere.resolve("snapshot.5"), new byte[10]);
    Files.write(logs.resolve("log.1"), new byte[20]);
    Files.writeString(
        root.resolve("etc/zookeeper/conf/zoo.cfg"), "dataDir=/srv/zk\ndataLogDir = /srv/zklog\n");
    ZooKeeperBackup.Result r = new SshZooKeeperBackup(local).backup(target, "demo", NOW);
    assertThat(r.files()).isEqualTo(2);
    assertThat(names(root.resolve(r.path().substring(1)))).containsExactly("log.1", "snapshot.5");
  }

  @Test
  void keepsTheNewestFiveBackupsOfTheClusterAndNoneOfOtherClusters() throws IOException {
    Path base = root.resolve("var/backups/mesos-operator/zookeeper");
    for (int i = 0; i < 6; i++) {
      Files.createDirectories(base.resolve("demo-2025010" + i + "T000000Z"));
    }
    Files.createDirectories(base.resolve("demo-x-20250101T000000Z"));
    new SshZooKeeperBackup(local).backup(target, "demo", NOW);
    assertThat(names(base))
        .containsExactly(
            "demo-20250102T000000Z",
            "demo-20250103T000000Z",
            "demo-20250104T000000Z",
            "demo-20250105T000000Z",
            "demo-20261122T031500Z",
            "demo-x-20250101T000000Z");
  }

  @Test
  void withoutASnapshotItFailsAndSaysWhy() throws IOException {
    try (Stream<Path> s = Files.list(data)) {
      for (Path p : s.toList()) {
        if (p.getFileName().toString().startsWith("snapshot.")) {
          Files.delete(p);
        }
      }
    }
    assertThatThrownBy(() -> new SshZooKeeperBackup(local).backup(target, "demo", NOW))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no ZooKeeper snapshot in /var/lib/zookeeper/version-2");
    assertThat(
            Files.exists(
                root.resolve("var/backups/mesos-operator/zookeeper/demo-20261122T031500Z")))
        .isFalse();
  }

  @Test
  void withoutADataDirectoryItFailsAndSaysWhy() throws IOException {
    Files.writeString(root.resolve("etc/zookeeper/conf/zoo.cfg"), "dataDir=/nowhere\n");
    assertThatThrownBy(() -> new SshZooKeeperBackup(local).backup(target, "demo", NOW))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no ZooKeeper data directory /nowhere/version-2");
  }

  @Test
  void everyValueIsOneQuotedWord() throws IOException {
    String hostile = "x'; touch \"$FAKE_NODE_ROOT/pwned\"; echo '";
    String script = SshZooKeeperBackup.script(hostile, NOW);
    assertThat(script).contains(Shell.quote(hostile + "-20261122T031500Z"));
    ZooKeeperBackup.Result r = new SshZooKeeperBackup(local).backup(target, hostile, NOW);
    assertThat(Files.exists(root.resolve("pwned"))).isFalse();
    assertThat(r.path()).endsWith("-20261122T031500Z");
  }

  @Test
  void outputWithoutAConfirmedCopyIsAFailure() {
    assertThatThrownBy(
            () -> SshZooKeeperBackup.parse(new SshSession.Exec(0, "path\t/x\nfiles\t0\n", "")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("nothing was copied");
    assertThatThrownBy(() -> SshZooKeeperBackup.parse(new SshSession.Exec(255, "", "sudo: no")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exit status 255");
  }
}
