package io.mesosoperator.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/** {@link ZooKeeperBackup} over SSH with the {@code node/zk-backup.sh} script. */
public final class SshZooKeeperBackup implements ZooKeeperBackup {
  /** Where backups go on the node; one directory per backup. */
  public static final String BASE = "/var/backups/mesos-operator/zookeeper";

  /** The rendered zoo.cfg (Debian/Ubuntu packages), read for dataDir and dataLogDir. */
  public static final String ZOO_CFG = "/etc/zookeeper/conf/zoo.cfg";

  /** dataDir when zoo.cfg names none. */
  public static final String DEFAULT_DATA_DIR = "/var/lib/zookeeper";

  /** Backups kept per cluster on each node; older ones are removed. */
  public static final int KEEP = 5;

  private static final String SCRIPT = resource();
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final SshSessions sessions;

  public SshZooKeeperBackup(SshSessions sessions) {
    this.sessions = sessions;
  }

  /** The script for one backup: the fixed template plus one call with quoted arguments. */
  public static String script(String cluster, Instant now) {
    return SCRIPT
        + "\nzk_backup "
        + Shell.words(ZOO_CFG, DEFAULT_DATA_DIR, BASE, name(cluster, now), KEEP)
        + "\n";
  }

  /** Backup directory name: {@code <cluster>-<UTC timestamp>}. */
  public static String name(String cluster, Instant now) {
    return cluster + "-" + STAMP.format(now);
  }

  /** Parses the script's output; fails with its error line, or when the copy is not confirmed. */
  public static Result parse(SshSession.Exec exec) throws IOException {
    Map<String, String> kv = new HashMap<>();
    for (String line : exec.stdout().split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        kv.put(line.substring(0, tab), line.substring(tab + 1));
      }
    }
    if (kv.containsKey("error")) {
      throw new IOException("ZooKeeper backup failed: " + kv.get("error"));
    }
    if (!exec.ok() || !kv.containsKey("path") || !kv.containsKey("files")) {
      throw new IOException(
          "ZooKeeper backup failed: exit status " + exec.exitStatus() + ", " + exec.stderr());
    }
    int files = Integer.parseInt(kv.get("files"));
    long bytes = Long.parseLong(kv.getOrDefault("bytes", "0"));
    if (files < 1 || bytes < 1) {
      throw new IOException("ZooKeeper backup failed: nothing was copied");
    }
    return new Result(kv.get("path"), files, bytes);
  }

  @Override
  public Result backup(Target target, String cluster, Instant now) throws IOException {
    try (SshSession session =
        sessions.open(target.address(), target.port(), target.login(), target.hostKey())) {
      return parse(session.run(script(cluster, now)));
    } catch (NumberFormatException e) {
      throw new IOException("ZooKeeper backup: unexpected output: " + e.getMessage());
    }
  }

  private static String resource() {
    try (InputStream in = SshZooKeeperBackup.class.getResourceAsStream("/node/zk-backup.sh")) {
      if (in == null) {
        throw new IllegalStateException("missing resource /node/zk-backup.sh");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
