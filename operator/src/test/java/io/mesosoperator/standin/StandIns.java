package io.mesosoperator.standin;

import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * Makes the TEST STAND-INS look installed on a node: {@code /etc/init.d/mesos-master}, {@code
 * mesos-slave} and {@code marathon} (start|stop|restart|status; pid file under {@code /run}, log
 * under {@code /var/log/<name>.log}) and {@code /usr/local/lib/mesos-standin/classpath}.
 *
 * <p>Two ways in: {@link #install(Path, String)} writes under a directory standing for a node's
 * root (scripts then run with {@code MESOS_OPERATOR_ROOT} set to it); {@link #install(NodeShell,
 * String)} runs commands inside a node, e.g. through {@link #nsenter(LocalMachineProvider, String)}
 * ({@code nsenter} into a local-provider machine, as root). The classpath is {@link
 * #standInClasspath()}: the stand-in classes and the few libraries they use. Into a node they are
 * always copied, under {@code /usr/local/lib/mesos-standin/jars/}, so a node never depends on where
 * the repository was cloned or where Maven keeps its jars (a local machine sees neither its host's
 * {@code /tmp} nor {@code /root}).
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

  /**
   * One class of each library the stand-ins load at run time: their own package, Jackson,
   * ZooKeeper's client and SLF4J with logback (ZooKeeper logs through it).
   */
  private static final List<Class<?>> RUNTIME =
      List.of(
          com.fasterxml.jackson.core.JsonFactory.class,
          com.fasterxml.jackson.databind.ObjectMapper.class,
          com.fasterxml.jackson.annotation.JsonInclude.class,
          org.apache.zookeeper.ZooKeeper.class,
          org.apache.jute.Record.class,
          org.apache.yetus.audience.InterfaceAudience.class,
          org.slf4j.Logger.class,
          ch.qos.logback.classic.Logger.class,
          ch.qos.logback.core.Appender.class);

  private static final String PACKAGE = StandIns.class.getPackageName().replace('.', '/') + "/";

  private static List<Path> standInClasspath;

  /**
   * What the stand-ins need, as host paths: one jar made here (once per JVM, in a temporary
   * directory) of the stand-in package with a logging configuration, and the jar of each library in
   * {@link #RUNTIME}: ten jars, about 5 MB, where the test classpath has 150 jars and 100 MB.
   */
  public static synchronized List<Path> standInClasspath() throws IOException {
    if (standInClasspath == null) {
      Path dir = Files.createTempDirectory("mesos-standin-");
      dir.toFile().deleteOnExit();
      Path jar = dir.resolve("mesos-standin.jar");
      jar.toFile().deleteOnExit();
      standInClasspath = List.copyOf(collect(standInJar(jar)));
    }
    return standInClasspath;
  }

  private static List<Path> collect(Path standIns) throws IOException {
    List<Path> out = new ArrayList<>();
    out.add(standIns);
    for (Class<?> c : RUNTIME) {
      Path p = codeSource(c);
      if (!Files.isRegularFile(p)) {
        throw new IOException(c.getName() + " is not loaded from a jar: " + p);
      }
      if (!out.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  private static Path codeSource(Class<?> c) throws IOException {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException | RuntimeException e) {
      throw new IOException("cannot tell where " + c.getName() + " is loaded from", e);
    }
  }

  /** A jar of this package's classes (from a directory or a jar) plus logback.xml. */
  private static Path standInJar(Path jar) throws IOException {
    Path from = codeSource(StandIns.class);
    Files.createDirectories(jar.toAbsolutePath().getParent());
    try (java.util.jar.JarOutputStream out =
        new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
      if (Files.isDirectory(from)) {
        try (var files = Files.walk(from.resolve(PACKAGE))) {
          for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
            entry(out, from.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
          }
        }
      } else {
        try (JarFile in = new JarFile(from.toFile())) {
          for (var e : java.util.Collections.list(in.entries())) {
            if (!e.isDirectory() && e.getName().startsWith(PACKAGE)) {
              try (InputStream is = in.getInputStream(e)) {
                entry(out, e.getName(), is.readAllBytes());
              }
            }
          }
        }
      }
      entry(out, "logback.xml", LOGBACK.getBytes(StandardCharsets.UTF_8));
    }
    return jar;
  }

  private static void entry(java.util.jar.JarOutputStream out, String name, byte[] bytes)
      throws IOException {
    out.putNextEntry(new java.util.jar.JarEntry(name));
    out.write(bytes);
    out.closeEntry();
  }

  /** The stand-ins' own lines at INFO, libraries' warnings; to stdout (the service's log). */
  private static final String LOGBACK =
      "<configuration>\n"
          + "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
          + "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern>"
          + "</encoder>\n"
          + "  </appender>\n"
          + "  <logger name=\"io.mesosoperator\" level=\"INFO\"/>\n"
          + "  <root level=\"WARN\"><appender-ref ref=\"OUT\"/></root>\n"
          + "</configuration>\n";

  /** Writes the scripts and classpath under a directory standing for a node's root. */
  public static void install(Path nodeRoot, List<Path> classpath) throws IOException {
    Path lib = nodeRoot.resolve(LIB.substring(1));
    Files.createDirectories(lib);
    Files.writeString(
        lib.resolve("classpath"),
        classpath.stream().map(Path::toString).collect(Collectors.joining(":")) + "\n");
    Path initd = Files.createDirectories(nodeRoot.resolve("etc/init.d"));
    for (Map.Entry<String, String> s : SERVICES.entrySet()) {
      Path f = initd.resolve(s.getKey());
      Files.writeString(f, script(s.getKey(), s.getValue()));
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /**
   * Installs into a node through its shell: every jar of {@code classpath} (host paths, e.g. {@link
   * #standInClasspath}) is copied into the node's {@code /usr/local/lib/mesos-standin/jars/}, so
   * nothing on the node refers to a path of the host. Returns the classpath written on the node.
   */
  public static String install(NodeShell node, List<Path> classpath) throws IOException {
    String java = javaBinary();
    node.run(
        List.of(
            "sh",
            "-c",
            "[ -x \"$1\" ] || { echo \"no $1 on the node\" >&2; exit 1; }; rm -rf \"$2\"",
            "sh",
            java,
            LIB + "/jars"),
        null);
    List<String> onNode = new ArrayList<>();
    int i = 0;
    for (Path p : classpath) {
      i++;
      String dest = LIB + "/jars/" + i + "-" + p.getFileName();
      write(node, dest, Files.readAllBytes(p), "0644");
      onNode.add(dest);
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
          .replace("@JAVA@", javaBinary());
    }
  }

  /** The test JVM's java: the stand-ins run on the same JDK, found at the same path on a node. */
  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
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
