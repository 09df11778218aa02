package io.mesosoperator.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A directory that the node scripts see as the node's {@code /}: tests run the shipped scripts
 * unchanged (they know no test root) in a mount and UTS namespace of their own, where the
 * directory's {@code etc}, {@code var}, {@code run}, {@code home}, {@code root}, {@code srv} and
 * {@code opt} are bind-mounted over the host's and the hostname is the namespace's. Nothing reaches
 * the host: the namespace's mounts are private and go with its last process; setting the hostname
 * in it never renames this machine.
 *
 * <p>Two ways: {@link #command} makes a namespace for one command (script tests); {@link #start}
 * keeps one namespace for a fake node's life, entered with nsenter by every command (a node's
 * hostname and mounts persist between its SSH commands, and a command costs one exec more, not a
 * round of mounts). The namespace's holder exits with this JVM even if {@link #close} never runs.
 *
 * <p>Needs root or unprivileged user namespaces (then a user namespace maps the caller to root).
 */
public final class FakeRoot implements AutoCloseable {
  private static final Path SCRIPT = script();
  private static final boolean ROOT = isRoot();

  private final Path root;
  private final Process holder;

  private FakeRoot(Path root, Process holder) {
    this.root = root;
    this.holder = holder;
  }

  /** The fake tree. */
  public Path root() {
    return root;
  }

  /**
   * Argv that runs {@code command} once with {@code root} as the node's tree and {@code hostname}
   * as its name.
   */
  public static List<String> command(Path root, String hostname, List<String> command) {
    List<String> argv = new ArrayList<>(unshare());
    argv.addAll(List.of("/bin/sh", SCRIPT.toString(), checked(root).toString(), hostname));
    argv.addAll(command);
    return argv;
  }

  /** {@link #command} with the hostname {@code fake-node}. */
  public static List<String> command(Path root, List<String> command) {
    return command(root, "fake-node", command);
  }

  /** Starts a namespace that lives until {@link #close} (or this JVM's end). */
  public static FakeRoot start(Path root, String hostname) throws IOException {
    List<String> argv =
        command(
            root,
            hostname,
            List.of(
                "/bin/sh",
                "-c",
                "echo ready; exec tail --pid=\"$1\" -f /dev/null >/dev/null",
                "sh",
                Long.toString(ProcessHandle.current().pid())));
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (!"ready".equals(line)) {
      p.destroyForcibly();
      throw new IOException("fake root namespace did not start: " + line);
    }
    return new FakeRoot(root, p);
  }

  /** Argv that runs {@code command} in this namespace. */
  public List<String> enter(List<String> command) {
    List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid())));
    if (!ROOT) {
      argv.addAll(List.of("--user", "--preserve-credentials"));
    }
    argv.addAll(List.of("--mount", "--uts", "--"));
    argv.addAll(command);
    return argv;
  }

  /** The namespace's hostname now. */
  public String hostname() throws IOException {
    try {
      Process p =
          new ProcessBuilder(enter(List.of("cat", "/proc/sys/kernel/hostname")))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("cannot read the fake node's hostname: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() {
    holder.destroyForcibly();
    try {
      holder.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> unshare() {
    List<String> argv = new ArrayList<>(List.of("unshare"));
    if (!ROOT) {
      argv.addAll(List.of("--user", "--map-root-user"));
    }
    argv.addAll(List.of("--mount", "--uts", "--propagation", "private", "--"));
    return argv;
  }

  private static Path checked(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    if (abs.getNameCount() < 2) {
      throw new IllegalArgumentException("fake root too close to /: " + abs);
    }
    return abs;
  }

  private static boolean isRoot() {
    try {
      return Files.readString(Path.of("/proc/self/status"))
          .matches("(?s).*\nUid:\\s+\\d+\\s+0\\s.*");
    } catch (IOException e) {
      return false;
    }
  }

  private static Path script() {
    try (InputStream in = FakeRoot.class.getResourceAsStream("/testing/fake-root.sh")) {
      if (in == null) {
        throw new IllegalStateException("test resource /testing/fake-root.sh missing");
      }
      Path p = Files.createTempFile("mo-fake-root-", ".sh");
      p.toFile().deleteOnExit();
      Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
