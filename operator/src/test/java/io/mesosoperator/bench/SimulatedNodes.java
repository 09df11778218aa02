package io.mesosoperator.bench;

import io.mesosoperator.testing.FakeRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;

/**
 * Many simulated nodes in this JVM: each one a loopback address of its own (127.77.x.y, all on one
 * port), with its own host key, first-login credentials and fake root file system (a directory the
 * node's commands see as their /, through {@link FakeRoot}), behind one Apache MINA sshd that
 * listens on all the addresses. One server instead of one per node keeps the simulator's threads
 * and file descriptors to what the operator's side needs; the operator still sees N distinct SSH
 * endpoints and host keys.
 *
 * <p>Commands run with the real /bin/sh and fake service/apt/user tools first on PATH, as in the
 * node tests' FakeNode; each command waits {@code latency} first, as a network round trip would.
 */
final class SimulatedNodes implements AutoCloseable {
  /** First octets of the simulated addresses: nobody else on this host uses 127.77/16. */
  private static final String PREFIX = "127.77.";

  /** One simulated node. */
  static final class Node {
    final String address;
    final Path root;
    final KeyPair hostKey;
    volatile String firstUser;
    volatile String firstPassword;

    Node(String address, Path root, KeyPair hostKey) {
      this.address = address;
      this.root = root;
      this.hostKey = hostKey;
    }

    Path file(String path) {
      return root.resolve(path.substring(1));
    }

    private FakeRoot namespace;

    /** The node's mount and UTS namespace, made at its first command. */
    synchronized FakeRoot namespace() throws IOException {
      if (namespace == null) {
        namespace = FakeRoot.start(root, "sim-" + address.replace('.', '-'));
      }
      return namespace;
    }

    synchronized void stop() {
      if (namespace != null) {
        namespace.close();
        namespace = null;
      }
    }

    /** The image's first login, as the cloud handed it out; that user may sudo. */
    void provision(String user, String password) throws IOException {
      firstUser = user;
      firstPassword = password;
      Files.writeString(root.resolve("state/sudo-ok"), "root\n" + user + "\n");
    }
  }

  private final Path dir;
  private final Path bin;
  private final long latencyMillis;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Node> byAddress = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private final SshServer server;
  private final int port;

  /** SSH commands the simulated nodes ran. */
  final AtomicLong commands = new AtomicLong();

  /** Nanoseconds spent running commands on the simulated nodes, latency excluded. */
  final AtomicLong commandNanos = new AtomicLong();

  /**
   * Replay mode: a command a node already ran with the same script is answered with that run's
   * output instead of running the shell again. Only for a converged cluster, where a node's answer
   * to the same observe script does not change: it takes the simulated nodes' own CPU (1000 nodes'
   * shells sharing this machine's cores) out of a pass, leaving the operator's and SSH's cost.
   */
  volatile boolean replay;

  /** Whether commands run now are recorded for replay. */
  volatile boolean recording;

  /** Commands answered from the record in replay mode. */
  final AtomicLong replayed = new AtomicLong();

  private record Recorded(byte[] stdout, byte[] stderr, int exit) {}

  private final Map<String, Recorded> recorded = new ConcurrentHashMap<>();

  private static String digest(byte[] script) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(script));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SSH sessions (connections with a login) opened to the simulated nodes. */
  final AtomicLong logins = new AtomicLong();

  SimulatedNodes(Path dir, int count, long latencyMillis) throws Exception {
    this.dir = dir;
    this.latencyMillis = latencyMillis;
    this.bin = Files.createDirectories(dir.resolve("bin"));
    tools(bin);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    StringBuilder hosts = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String address = address(i);
      Node n =
          new Node(address, Files.createDirectories(dir.resolve("n" + i)), g.generateKeyPair());
      layout(n);
      nodes.add(n);
      byAddress.put(address, n);
      hosts.append(i == 0 ? "" : ",").append(address);
    }
    server = SshServer.setUpDefaultServer();
    server.setHost(hosts.toString());
    server.setKeyPairProvider(session -> List.of(nodeOf(session).hostKey));
    server.setPasswordAuthenticator(
        (user, password, session) -> {
          Node n = nodeOf(session);
          boolean ok =
              n.firstUser != null && user.equals(n.firstUser) && password.equals(n.firstPassword);
          if (ok) {
            logins.incrementAndGet();
          }
          return ok;
        });
    server.setPublickeyAuthenticator(
        (user, key, session) -> {
          boolean ok = authorized(nodeOf(session), user, key);
          if (ok) {
            logins.incrementAndGet();
          }
          return ok;
        });
    server.setCommandFactory(
        (channel, command) -> new ShellCommand(nodeOf(channel.getSession()), command));
    port = bind();
  }

  /** Address of the i-th node: 127.77.0.1 … 127.77.0.250, 127.77.1.1 …. */
  static String address(int i) {
    return PREFIX + (i / 250) + "." + (i % 250 + 1);
  }

  int port() {
    return port;
  }

  int size() {
    return nodes.size();
  }

  /** The next node not handed out yet, for a new machine. */
  Node allocate() {
    int i = next.getAndIncrement();
    if (i >= nodes.size()) {
      throw new IllegalStateException("only " + nodes.size() + " simulated nodes");
    }
    return nodes.get(i);
  }

  Node at(String address) {
    return byAddress.get(address);
  }

  /** Finds a port free on 127.0.0.1 and binds every node's address to it (retrying a few). */
  private int bind() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int p;
      try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        p = probe.getLocalPort();
      }
      server.setPort(p);
      try {
        server.start();
        return p;
      } catch (IOException e) {
        last = e;
        server.stop(true);
      }
    }
    throw last;
  }

  private Node nodeOf(SessionContext session) {
    SocketAddress local = ((ServerSession) session).getIoSession().getLocalAddress();
    String address = ((InetSocketAddress) local).getAddress().getHostAddress();
    Node n = byAddress.get(address);
    if (n == null) {
      throw new IllegalStateException("no simulated node at " + address);
    }
    return n;
  }

  private static boolean authorized(Node n, String user, PublicKey key) {
    try {
      Path keys = n.file("/home/" + user + "/.ssh/authorized_keys");
      String blob = PublicKeyEntry.toString(key).split(" ")[1];
      return Files.exists(keys) && Files.readString(keys).contains(blob);
    } catch (IOException e) {
      return false;
    }
  }

  /** A fresh trusty-era node, with the packages' own services running. */
  private static void layout(Node n) throws IOException {
    for (String d : List.of("/etc/init", "/etc/sudoers.d", "/etc/ssh", "/etc/mesos")) {
      Files.createDirectories(n.file(d));
    }
    Files.createDirectories(n.root.resolve("state/running"));
    Files.writeString(
        n.file("/etc/os-release"), "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_CODENAME=trusty\n");
    Files.writeString(n.file("/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    Files.writeString(n.file("/etc/hosts"), "127.0.0.1 localhost\n::1 ip6-localhost\n");
    Files.writeString(
        n.file("/etc/ssh/sshd_config"),
        "Port 22\nPasswordAuthentication yes\nPermitRootLogin yes\n");
    Files.writeString(n.file("/etc/mesos/zk"), "zk://localhost:2181/mesos\n");
    Files.writeString(n.root.resolve("state/sudo-ok"), "root\n");
    Files.writeString(n.root.resolve("state/running/mesos-slave"), "");
  }

  /** The fake tools, shared by every node: they act on $FAKE_NODE_ROOT. */
  private static void tools(Path bin) throws IOException {
    // Every simulated node is an Upstart one (trusty): initctl on PATH and /etc/init.
    script(bin.resolve("initctl"), "exit 0");
    String log = "echo \"$(basename \"$0\") $*\" >> \"$FAKE_NODE_ROOT/calls.log\"\n";
    String r = "R=\"$FAKE_NODE_ROOT\"\n";
    script(
        bin.resolve("sudo"),
        log
            + r
            + "[ \"$1\" = -n ] && shift\n"
            // VAR=value arguments, as sudo takes them for a rule of ALL.
            + "while case \"$1\" in *=*) true ;; *) false ;; esac; do export \"$1\"; shift; done\n"
            + "if [ \"$SSH_LOGIN_USER\" != root ] && ! grep -qx \"$SSH_LOGIN_USER\" \"$R/state/sudo-ok\""
            + " && ! grep -q \"^$SSH_LOGIN_USER \" \"$R/etc/sudoers.d/mesos-operator\" 2>/dev/null;"
            + " then echo 'sudo: a password is required' >&2; exit 1; fi\n"
            + "exec \"$@\"");
    script(
        bin.resolve("service"),
        "[ \"$2\" = status ] || "
            + log
            + r
            + "d=\"$R/state/running\"\n"
            + "case \"$2\" in\n"
            + "  status) if [ -e \"$d/$1\" ]; then echo \"$1 start/running, process 42\";"
            + " else echo \"$1 stop/waiting\"; fi ;;\n"
            + "  start|restart) mkdir -p \"$d\"; : > \"$d/$1\" ;;\n"
            + "  stop) [ -e \"$d/$1\" ] || exit 1; rm -f \"$d/$1\" ;;\n"
            + "esac\nexit 0");
    script(bin.resolve("systemctl"), log + "exit 0");
    // nft: "loads" a file by keeping it; lists the table it kept.
    script(
        bin.resolve("nft"),
        "[ \"$1\" = list ] || "
            + log
            + r
            + "mkdir -p \"$R/state\"\n"
            + "case \"$1\" in\n"
            + "  -f) grep -q '^table inet mesos_operator {' \"$2\" && cp \"$2\" \"$R/state/nft-table\" ;;\n"
            + "  list) [ -e \"$R/state/nft-table\" ] && cat \"$R/state/nft-table\" ;;\n"
            + "  *) exit 1 ;;\n"
            + "esac");
    script(bin.resolve("update-rc.d"), log + "exit 0");
    script(
        bin.resolve("apt-get"),
        log
            + r
            + "mkdir -p \"$R/state/dpkg\"; cmd=; skip=0\n"
            + "for a in \"$@\"; do\n"
            + "  if [ $skip = 1 ]; then skip=0; continue; fi\n"
            + "  case \"$a\" in -o) skip=1 ;; -*) ;; *) if [ -z \"$cmd\" ]; then cmd=$a;"
            + " elif [ \"$cmd\" = install ]; then\n"
            + "    n=${a%%=*}; v=1.0; case \"$a\" in *=*) v=${a#*=} ;; esac;"
            + " printf '%s' \"$v\" > \"$R/state/dpkg/$n\"; fi ;; esac\n"
            + "done");
    script(
        bin.resolve("apt-key"),
        "[ \"$1\" = export ] || "
            + log
            + r
            + "case \"$1\" in adv) : > \"$R/state/aptkey\" ;;"
            + " export) [ -e \"$R/state/aptkey\" ] && echo '-----BEGIN PGP PUBLIC KEY BLOCK-----' ;;"
            + " esac\nexit 0");
    script(
        bin.resolve("dpkg-query"),
        r
            + "for n; do :; done\n"
            + "[ -e \"$R/state/dpkg/$n\" ] || exit 1\n"
            + "IFS= read -r v < \"$R/state/dpkg/$n\" || :\n"
            + "printf 'ii \\t%s' \"$v\"");
    script(
        bin.resolve("useradd"),
        log
            + r
            + "for u; do :; done\n"
            + "echo \"$u:x:1000:1000::/home/$u:/bin/bash\" >> \"$R/etc/passwd\";"
            + " mkdir -p \"$R/home/$u\"");
    script(
        bin.resolve("id"),
        r
            + "[ \"$1\" = -u ] || exit 1\n[ -n \"$2\" ] || { echo 0; exit 0; }\n"
            + "grep -q \"^$2:\" \"$R/etc/passwd\" && echo 1000");
    script(bin.resolve("chown"), log + "exit 0");
    script(bin.resolve("chpasswd"), log + "exit 0");
    script(
        bin.resolve("sshd"),
        r
            + "f=\"$R/etc/ssh/sshd_config\"\n"
            + "for k in passwordauthentication permitrootlogin; do\n"
            + "  v=$(awk -v k=$k 'tolower($1)==k{print tolower($2); exit}' \"$f\");"
            + " echo \"$k ${v:-yes}\"; done");
  }

  private static void script(Path path, String body) throws IOException {
    Files.writeString(path, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Override
  public void close() throws IOException {
    try {
      server.stop(true);
    } finally {
      nodes.forEach(Node::stop);
    }
  }

  Path dir() {
    return dir;
  }

  /** Runs one SSH command with /bin/sh -c in the node's fake root, after the round-trip delay. */
  private final class ShellCommand implements Command {
    private final Node node;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;

    ShellCommand(Node node, String command) {
      this.node = node;
      this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      commands.incrementAndGet();
      String user = channel.getSession().getUsername();
      Thread main = new Thread(() -> run(user), "sim-" + node.address);
      main.setDaemon(true);
      main.start();
    }

    private void run(String user) {
      int code = 255;
      try {
        // The client sends the whole script, then EOF, before it reads anything.
        byte[] script = in.readAllBytes();
        Thread.sleep(latencyMillis);
        String key = node.address + "|" + user + "|" + command + "|" + digest(script);
        Recorded r = replay ? recorded.get(key) : null;
        if (r != null) {
          replayed.incrementAndGet();
          out.write(r.stdout());
          out.flush();
          err.write(r.stderr());
          err.flush();
          code = r.exit();
          return;
        }
        long t0 = System.nanoTime();
        ProcessBuilder pb =
            new ProcessBuilder(node.namespace().enter(List.of("/bin/sh", "-c", command)));
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", bin + ":/usr/bin:/bin");
        e.put("FAKE_NODE_ROOT", node.root.toString());
        e.put("SSH_LOGIN_USER", user);
        // As OpenSSH sets it; the operator connects from loopback.
        e.put("SSH_CONNECTION", "127.0.0.1 40000 " + node.address + " 22");
        e.put("LC_ALL", "C");
        Process p = pb.start();
        process = p;
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        Thread pumpIn =
            new Thread(
                () -> {
                  try (OutputStream to = p.getOutputStream()) {
                    to.write(script);
                  } catch (IOException ignored) {
                    // the process ended first
                  }
                });
        Thread pumpErr = new Thread(() -> copy(p.getErrorStream(), err, stderr));
        pumpIn.setDaemon(true);
        pumpErr.setDaemon(true);
        pumpIn.start();
        pumpErr.start();
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        copy(p.getInputStream(), out, stdout);
        pumpErr.join();
        code = p.waitFor();
        commandNanos.addAndGet(System.nanoTime() - t0);
        if (recording) {
          recorded.put(key, new Recorded(stdout.toByteArray(), stderr.toByteArray(), code));
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      } catch (IOException ex) {
        code = 127;
      } finally {
        exit.onExit(code);
      }
    }

    private void copy(InputStream from, OutputStream to, OutputStream copy) {
      try {
        byte[] buf = new byte[8192];
        int n;
        while ((n = from.read(buf)) > 0) {
          copy.write(buf, 0, n);
          to.write(buf, 0, n);
          to.flush();
        }
      } catch (IOException ignored) {
        // channel closed
      }
    }

    @Override
    public void destroy(ChannelSession channel) {
      Process p = process;
      if (p != null) {
        p.destroy();
      }
    }
  }
}
