package io.mesosoperator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mesosoperator.e2e.LocalCluster;
import io.mesosoperator.render.ManagedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tutorial's steps as an Ansible playbook of the project's own ({@code
 * src/test/resources/bench/ansible/tutorial.yml}), run with Debian's {@code ansible} against the
 * machines of a local cluster: the same files {@link io.mesosoperator.render.ClusterRenderer}
 * renders (whole files with {@code copy}, the two marked blocks with {@code blockinfile}, the
 * operator's markers), the role's services restarted by a handler when a file changed, the services
 * the role must not run stopped. Pipelining on (its fastest setting), SSH connections multiplexed
 * ({@code ControlPersist}), no fact gathering. Only the nodes' addresses are contacted.
 */
final class AnsibleBaseline implements AutoCloseable {
  /** Forks: each mostly waits on SSH, but the controller's per-task work is CPU on 2 cores. */
  static final int FORKS = Integer.getInteger("bench.ansibleForks", 4);

  private static final Pattern RECAP =
      Pattern.compile(
          "^(\\S+)\\s*:\\s*ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)",
          Pattern.MULTILINE);

  private final Path dir;
  private final SameMachines machines;
  private int runs;

  /** What one run of the playbook did. */
  record Run(double seconds, int changed, int tasks, Path log) {}

  AnsibleBaseline(Path dir, SameMachines machines) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.machines = machines;
    write();
  }

  /**
   * Null when {@code ansible-playbook} can be run; otherwise why not. Installs Debian's {@code
   * ansible} when it is missing and this is root (the local scenario runs as root anyway).
   */
  static String ensureInstalled() throws Exception {
    if (version() != null) {
      return null;
    }
    if (!LocalCluster.missingPrerequisites().isEmpty()) {
      return "ansible-playbook is not installed";
    }
    System.out.println("bench local: installing Debian's ansible (apt-get install -y ansible)");
    ProcessBuilder pb =
        new ProcessBuilder("apt-get", "install", "-y", "--no-install-recommends", "ansible")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return "apt-get install ansible did not finish within 10 min";
    }
    return version() != null ? null : "apt-get install ansible failed (exit " + p.exitValue() + ")";
  }

  /** The first line of {@code ansible-playbook --version}, or null when it cannot be run. */
  static String version() {
    try {
      Process p =
          new ProcessBuilder("ansible-playbook", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0
          ? out.lines().findFirst().orElse("").strip()
          : null;
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }

  private void write() throws IOException {
    Path key = dir.resolve("admin_key");
    Files.writeString(key, machines.key.privateKey());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    try (InputStream in = getClass().getResourceAsStream("/bench/ansible/tutorial.yml")) {
      Files.copy(in, dir.resolve("tutorial.yml"), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(
        dir.resolve("ansible.cfg"),
        "[defaults]\n"
            + "forks = "
            + FORKS
            + "\n"
            + "host_key_checking = False\n"
            + "gathering = explicit\n"
            + "retry_files_enabled = False\n"
            + "interpreter_python = /usr/bin/python3\n"
            + "local_tmp = "
            + dir.resolve("tmp")
            + "\n"
            + "[ssh_connection]\n"
            + "pipelining = True\n"
            + "control_path_dir = "
            + dir.resolve("cp")
            + "\n"
            + "control_path = %(directory)s/%%h-%%p-%%r\n"
            // The test hosts' keys are new with every run: not written to any known_hosts.
            + "ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o IdentitiesOnly=yes"
            + " -o BatchMode=yes -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no\n");
    ObjectMapper json = new ObjectMapper();
    ObjectNode inventory = json.createObjectNode();
    ObjectNode all = inventory.putObject("all");
    ObjectNode vars = all.putObject("vars");
    vars.put("ansible_user", machines.user);
    vars.put("ansible_port", machines.port);
    vars.put("ansible_ssh_private_key_file", key.toString());
    ObjectNode hosts = all.putObject("hosts");
    for (SameMachines.Node n : machines.nodes) {
      ObjectNode h = hosts.putObject(n.name());
      h.put("ansible_host", n.address());
      ArrayNode whole = h.putArray("whole_files");
      ArrayNode blocks = h.putArray("blocks");
      Path files = Files.createDirectories(dir.resolve("files").resolve(n.name()));
      int i = 0;
      for (ManagedFile f : n.config().files()) {
        Path src = files.resolve(Integer.toString(i++));
        Files.writeString(src, f.content());
        if (f.kind() == ManagedFile.Kind.WHOLE) {
          String[] owner = f.owner().split(":", 2);
          whole
              .addObject()
              .put("src", src.toString())
              .put("dest", f.path())
              .put("mode", f.mode())
              .put("owner", owner[0])
              .put("group", owner.length > 1 ? owner[1] : owner[0]);
        } else {
          blocks
              .addObject()
              .put("src", src.toString())
              .put("path", f.path())
              .put("start", f.kind() == ManagedFile.Kind.BLOCK_START);
        }
      }
      ArrayNode services = h.putArray("services");
      n.config().services().forEach(services::add);
      ArrayNode disabled = h.putArray("disabled_services");
      n.config().disabledServices().forEach(disabled::add);
    }
    Files.writeString(dir.resolve("inventory.json"), json.writeValueAsString(inventory));
  }

  /** Runs the playbook once; fails when a host was unreachable or a task failed. */
  Run run() throws Exception {
    Path log = dir.resolve("run-" + (++runs) + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                "ansible-playbook",
                "-i",
                dir.resolve("inventory.json").toString(),
                dir.resolve("tutorial.yml").toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("ANSIBLE_CONFIG", dir.resolve("ansible.cfg").toString());
    pb.environment().put("ANSIBLE_NOCOLOR", "1");
    pb.environment().put("ANSIBLE_HOME", dir.resolve("home").toString());
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("ansible-playbook did not finish within 15 min: " + log);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    String out = Files.readString(log);
    Matcher m = RECAP.matcher(out);
    int changed = 0;
    int tasks = 0;
    List<String> hosts = new ArrayList<>();
    while (m.find()) {
      hosts.add(m.group(1));
      tasks += Integer.parseInt(m.group(2));
      changed += Integer.parseInt(m.group(3));
      if (Integer.parseInt(m.group(4)) > 0 || Integer.parseInt(m.group(5)) > 0) {
        throw new IllegalStateException(
            "ansible-playbook: " + m.group(0).strip() + "; see " + log + "\n" + tail(out));
      }
    }
    if (p.exitValue() != 0 || hosts.size() != machines.nodes.size()) {
      throw new IllegalStateException(
          "ansible-playbook exit "
              + p.exitValue()
              + ", recap for "
              + hosts.size()
              + " of "
              + machines.nodes.size()
              + " hosts; see "
              + log
              + "\n"
              + tail(out));
    }
    return new Run(seconds, changed, tasks, log);
  }

  private static String tail(String out) {
    List<String> lines = out.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  /** Ends the multiplexing SSH masters this playbook left (ControlPersist), one per host. */
  @Override
  public void close() {
    for (SameMachines.Node n : machines.nodes) {
      try {
        Process p =
            new ProcessBuilder(
                    "ssh",
                    "-o",
                    "ControlPath=" + dir.resolve("cp") + "/%h-%p-%r",
                    "-p",
                    Integer.toString(machines.port),
                    "-O",
                    "exit",
                    machines.user + "@" + n.address())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (IOException e) {
        // nothing was left for this host
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
