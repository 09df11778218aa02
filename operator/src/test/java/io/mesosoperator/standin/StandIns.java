package io.mesosoperator.standin;

import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Makes the TEST STAND-INS look installed on a node: {@code /etc/init.d/mesos-master}, {@code
 * mesos-slave} and {@code marathon} (start|stop|restart|status; pid file under {@code /run}, log
 * under {@code /var/log/<name>.log}) and {@code /usr/local/lib/mesos-standin/classpath}.
 *
 * <p>Two ways in: {@link #install(Path, String)} writes under a directory standing for a node's
 * root (scripts then run with {@code MESOS_OPERATOR_ROOT} set to it); {@link #install(NodeShell,
 * String)} runs commands inside a node, e.g. through {@link #nsenter(LocalMachineProvider, String)}
 * ({@code nsenter} into a local-provider machine, as root). The classpath is normally the test
 * JVM's; local machines see {@code /work} and {@code /root/.m2} of the host (shared mount and
 * overlay lower layer), and any entry a node cannot see (e.g. under its private {@code /tmp}) is
 * copied into {@code /usr/local/lib/mesos-standin/}.
 */
public final class StandIns {

  /** Init script name to stand-in class. */
  public static final Map<String, String> SERVICES =
      Map.of(
          "mesos-master", "MesosMasterStandIn",
          "mesos-slave", "MesosAgentStandIn",
          "marathon", "MarathonStandIn");

  static final String LIB = "/usr/local/lib/mesos-standin";

  /** Runs one command inside a node, with optional stdin. */
  public interface NodeShell {
    /** Runs argv inside the node; returns stdout, throws unless it exits 0. */
    String run(List<String> argv, byte[] stdin) throws IOException;
  }

  private StandIns() {}

  /** The test JVM's classpath, with manifest-only jars (surefire's booter) expanded. */
  public static String testClasspath() {
    Set<String> out = new LinkedHashSet<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.isEmpty()) {
        continue;
      }
      out.add(e);
      if (e.endsWith(".jar") && Files.isRegularFile(Path.of(e))) {
        try (JarFile jar = new JarFile(e)) {
          Manifest mf = jar.getManifest();
          String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
          if (cp != null) {
            for (String u : cp.trim().split("\\s+")) {
              out.add(Path.of(java.net.URI.create(u)).toString());
            }
          }
        } catch (IOException | IllegalArgumentException ignored) {
          // not a jar we can read: keep the entry as is
        }
      }
    }
    return String.join(":", out);
  }

  /** Writes the scripts and classpath under a directory standing for a node's root. */
  public static void install(Path nodeRoot, String classpath) throws IOException {
    Path lib = nodeRoot.resolve(LIB.substring(1));
    Files.createDirectories(lib);
    Files.writeString(lib.resolve("classpath"), classpath + "\n");
    Path initd = Files.createDirectories(nodeRoot.resolve("etc/init.d"));
    for (Map.Entry<String, String> s : SERVICES.entrySet()) {
      Path f = initd.resolve(s.getKey());
      Files.writeString(f, script(s.getKey(), s.getValue()));
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /**
   * Installs into a node through its shell. Returns the classpath written on the node (entries the
   * node could not see replaced by copies).
   */
  public static String install(NodeShell node, String classpath) throws IOException {
    List<String> entries = List.of(classpath.split(":"));
    List<String> check =
        new ArrayList<>(List.of("sh", "-c", "for f; do [ -e \"$f\" ] || echo \"$f\"; done", "sh"));
    check.addAll(entries);
    Set<String> invisible = new LinkedHashSet<>(node.run(check, null).lines().toList());
    List<String> onNode = new ArrayList<>();
    int i = 0;
    for (String e : entries) {
      i++;
      if (!invisible.contains(e)) {
        onNode.add(e);
        continue;
      }
      Path p = Path.of(e);
      if (Files.isRegularFile(p)) {
        String dest = LIB + "/jars/" + i + "-" + p.getFileName();
        write(node, dest, Files.readAllBytes(p), "0644");
        onNode.add(dest);
      } else if (Files.isDirectory(p)) {
        String dest = LIB + "/dirs/" + i;
        node.run(List.of("mkdir", "-p", dest), null);
        node.run(List.of("tar", "-xf", "-", "-C", dest), tar(p));
        onNode.add(dest);
      } // an entry missing on the host too is left out
    }
    String effective = String.join(":", onNode);
    write(node, LIB + "/classpath", (effective + "\n").getBytes(StandardCharsets.UTF_8), "0644");
    for (Map.Entry<String, String> s : SERVICES.entrySet()) {
      write(
          node,
          "/etc/init.d/" + s.getKey(),
          script(s.getKey(), s.getValue()).getBytes(StandardCharsets.UTF_8),
          "0755");
    }
    return effective;
  }

  /** A shell into a local-provider machine through {@code nsenter} (root only). */
  public static NodeShell nsenter(LocalMachineProvider provider, String machineId) {
    return (argv, stdin) -> {
      try {
        return run(provider.nsenterCommand(machineId, argv), stdin);
      } catch (CloudException e) {
        throw new IOException(e.getMessage(), e);
      }
    };
  }

  /** The init script of one service. */
  static String script(String name, String cls) throws IOException {
    try (InputStream in = StandIns.class.getResourceAsStream("/standin/init.sh")) {
      if (in == null) {
        throw new IOException("resource /standin/init.sh missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("@NAME@", name)
          .replace("@CLASS@", cls)
          .replace("@JAVA@", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
  }

  private static void write(NodeShell node, String path, byte[] content, String mode)
      throws IOException {
    node.run(
        List.of(
            "sh",
            "-c",
            "mkdir -p \"$(dirname \"$1\")\" && cat >\"$1.tmp\" && chmod \"$2\" \"$1.tmp\""
                + " && mv \"$1.tmp\" \"$1\"",
            "sh",
            path,
            mode),
        content);
  }

  private static byte[] tar(Path dir) throws IOException {
    Process p = new ProcessBuilder("tar", "-cf", "-", "-C", dir.toString(), ".").start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("tar of " + dir + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out;
  }

  /** Runs argv on the host with stdin, a time limit, and a failure unless it exits 0. */
  static String run(List<String> argv, byte[] stdin) throws IOException {
    Process p = new ProcessBuilder(argv).start();
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + argv);
      }
      String o = new String(out.get(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(
            "exit "
                + p.exitValue()
                + " from "
                + shortArgv(argv)
                + ": "
                + new String(err.get(), StandardCharsets.UTF_8).strip()
                + " "
                + o.strip());
      }
      return o;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e);
    }
  }

  private static String shortArgv(List<String> argv) {
    String s = String.join(" ", argv);
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
