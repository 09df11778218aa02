package io.mesosoperator.node;

import io.mesosoperator.testing.FakeRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An in-process MINA sshd on loopback that runs commands with the real /bin/sh, with fake
 * service/apt/user tools first on PATH, in a mount and UTS namespace of the node's own ({@link
 * FakeRoot}) where {@link #root}'s etc, var, run, home and root are the node's: the shipped scripts
 * run unchanged and never touch this host. The fakes find the tree as $FAKE_NODE_ROOT, log their
 * calls to $FAKE_NODE_ROOT/calls.log and keep state under $FAKE_NODE_ROOT/state.
 */
final class FakeNode implements AutoCloseable {
  final Path root;
  final Path bin;
  final AtomicInteger commands = new AtomicInteger();

  /** Successful logins (password or key): each is a new connection's authentication. */
  final AtomicInteger logins = new AtomicInteger();

  final String firstUser = "ubuntu";
  final String firstPassword = "first-login-Pa55word";
  volatile boolean rejectAdminKey;

  /** Drops the connection from the server side in the middle of every login. */
  volatile boolean dropDuringLogin;

  /** SSH_CONNECTION the commands see instead of the real one, when set ("" = none). */
  volatile String sshConnectionOverride;

  private volatile KeyPair hostKey;
  private final FakeRoot namespace;
  private final SshServer server;

  FakeNode(Path dir) throws Exception {
    root = Files.createDirectories(dir.resolve("root"));
    bin = Files.createDirectories(dir.resolve("bin"));
    hostKey = newHostKey();
    layout();
    namespace = FakeRoot.start(root, "fake-node");
    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(session -> List.of(hostKey));
    server.setPasswordAuthenticator(
        (user, password, session) ->
            !dropped(session) && firstUser.equals(user) && firstPassword.equals(password));
    server.setPublickeyAuthenticator(
        (user, key, session) -> !dropped(session) && authorized(user, key));
    server.addSessionListener(
        new SessionListener() {
          @Override
          public void sessionEvent(Session session, Event event) {
            if (event == Event.Authenticated) {
              logins.incrementAndGet();
            }
          }
        });
    server.setCommandFactory((channel, command) -> new ShellCommand(command));
    server.start();
  }

  private boolean dropped(org.apache.sshd.server.session.ServerSession session) {
    if (dropDuringLogin) {
      session.close(true);
      return true;
    }
    return false;
  }

  int port() {
    return server.getPort();
  }

  /** Open SSH connections on the server side. */
  int connections() {
    return server.getActiveSessions().size();
  }

  /** Drops every open connection from the server side (a reboot, an sshd restart, a NAT). */
  void dropConnections() {
    server.getActiveSessions().forEach(s -> s.close(true));
  }

  /** The node is "rebuilt": it presents a new host key. */
  void changeHostKey() throws Exception {
    hostKey = newHostKey();
  }

  String calls() throws IOException {
    Path log = root.resolve("calls.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  Path file(String path) {
    return root.resolve(path.substring(1));
  }

  /** The node's running hostname (its UTS namespace's). */
  String hostname() throws IOException {
    return namespace.hostname();
  }

  /** Lets the admin log in with its key from the start, as on an already bootstrapped node. */
  void authorize(String user, String publicKey) throws IOException {
    Path keys = file("/home/" + user + "/.ssh/authorized_keys");
    Files.createDirectories(keys.getParent());
    Files.writeString(keys, publicKey.trim() + "\n");
    Files.writeString(file("/etc/passwd"), user + ":x:1000:1000::/home/" + user + ":/bin/bash\n");
    Files.writeString(file("/etc/sudoers.d/mesos-operator"), user + " ALL=(ALL) NOPASSWD:ALL\n");
  }

  private boolean authorized(String user, java.security.PublicKey key) {
    if (rejectAdminKey) {
      return false;
    }
    try {
      Path keys = file("/home/" + user + "/.ssh/authorized_keys");
      String blob = PublicKeyEntry.toString(key).split(" ")[1];
      return Files.exists(keys) && Files.readString(keys).contains(blob);
    } catch (IOException e) {
      return false;
    }
  }

  private static KeyPair newHostKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private void layout() throws IOException {
    Files.createDirectories(file("/etc/init"));
    Files.createDirectories(file("/etc/sudoers.d"));
    Files.createDirectories(file("/etc/ssh"));
    Files.createDirectories(file("/etc/mesos"));
    Files.createDirectories(root.resolve("state"));
    Files.writeString(
        file("/etc/os-release"), "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_CODENAME=trusty\n");
    Files.writeString(file("/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    Files.writeString(file("/etc/hosts"), "127.0.0.1 localhost\n::1 ip6-localhost\n");
    Files.writeString(
        file("/etc/ssh/sshd_config"), "Port 22\nPasswordAuthentication yes\nPermitRootLogin yes\n");
    Files.writeString(file("/etc/mesos/zk"), "zk://localhost:2181/mesos\n");
    Files.writeString(root.resolve("state/sudo-ok"), firstUser + "\n");
    script(bin.resolve("initctl"), "exit 0");
    // Upstart jobs of the installed packages; a test removes one to model a missing package.
    for (String job : List.of("zookeeper", "mesos-master", "marathon", "mesos-slave", "chrony")) {
      Files.writeString(file("/etc/init/" + job + ".conf"), "# fake job\n");
    }
    // The node starts with the packages' own services running, as after an install.
    Files.createDirectories(root.resolve("state/running"));
    Files.writeString(root.resolve("state/running/mesos-slave"), "");
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
            + "d=\"$R/state/running\"; mkdir -p \"$d\"\n"
            + "case \"$2\" in\n"
            + "  status) if [ -e \"$d/$1\" ]; then echo \"$1 start/running, process 42\"; else echo \"$1 stop/waiting\"; fi ;;\n"
            + "  start|restart) : > \"$d/$1\" ;;\n"
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
            + "  case \"$a\" in -o) skip=1 ;; -*) ;; *) if [ -z \"$cmd\" ]; then cmd=$a; elif [ \"$cmd\" = install ]; then\n"
            + "    n=${a%%=*}; v=1.0; case \"$a\" in *=*) v=${a#*=} ;; esac; printf '%s' \"$v\" > \"$R/state/dpkg/$n\"; fi ;; esac\n"
            + "done");
    script(
        bin.resolve("apt-key"),
        "[ \"$1\" = export ] || "
            + log
            + r
            + "case \"$1\" in adv) : > \"$R/state/aptkey\" ;;"
            + " export) [ -e \"$R/state/aptkey\" ] && echo '-----BEGIN PGP PUBLIC KEY BLOCK-----' ;; esac\nexit 0");
    script(
        bin.resolve("dpkg-query"),
        r
            + "for n; do :; done\n"
            + "[ -e \"$R/state/dpkg/$n\" ] || exit 1\nprintf 'ii \\t%s' \"$(cat \"$R/state/dpkg/$n\")\"");
    script(
        bin.resolve("useradd"),
        log
            + r
            + "for u; do :; done\n"
            + "echo \"$u:x:1000:1000::/home/$u:/bin/bash\" >> \"$R/etc/passwd\"; mkdir -p \"$R/home/$u\"");
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
            + "  v=$(awk -v k=$k 'tolower($1)==k{print tolower($2); exit}' \"$f\"); echo \"$k ${v:-yes}\"; done");
  }

  /** SSH_CONNECTION as OpenSSH sets it: client address and port, server address and port. */
  static String sshConnection(Session session) {
    if (session.getRemoteAddress() instanceof java.net.InetSocketAddress c
        && session.getLocalAddress() instanceof java.net.InetSocketAddress l) {
      return c.getAddress().getHostAddress()
          + " "
          + c.getPort()
          + " "
          + l.getAddress().getHostAddress()
          + " "
          + l.getPort();
    }
    return "";
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
      namespace.close();
    }
  }

  /** Runs the SSH command with /bin/sh -c, as sshd runs it with the login shell. */
  private final class ShellCommand implements Command {
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Process process;

    ShellCommand(String command) {
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
    public void start(ChannelSession channel, Environment env) throws IOException {
      commands.incrementAndGet();
      ProcessBuilder pb = new ProcessBuilder(namespace.enter(List.of("/bin/sh", "-c", command)));
      Map<String, String> e = pb.environment();
      e.clear();
      e.put("PATH", bin + ":/usr/bin:/bin");
      e.put("FAKE_NODE_ROOT", root.toString());
      e.put("SSH_LOGIN_USER", channel.getSession().getUsername());
      String conn = sshConnectionOverride;
      e.put("SSH_CONNECTION", conn != null ? conn : sshConnection(channel.getSession()));
      e.put("LC_ALL", "C");
      process = pb.start();
      Thread pumpIn =
          new Thread(
              () -> {
                try (OutputStream to = process.getOutputStream()) {
                  in.transferTo(to);
                } catch (IOException ignored) {
                  // the process ended first
                }
              });
      Thread pumpErr = new Thread(() -> copy(process.getErrorStream(), err));
      Thread main =
          new Thread(
              () -> {
                copy(process.getInputStream(), out);
                try {
                  pumpErr.join();
                  int code = process.waitFor();
                  exit.onExit(code);
                } catch (InterruptedException ex) {
                  Thread.currentThread().interrupt();
                }
              });
      pumpIn.setDaemon(true);
      pumpErr.setDaemon(true);
      main.setDaemon(true);
      pumpIn.start();
      pumpErr.start();
      main.start();
    }

    private void copy(InputStream from, OutputStream to) {
      try {
        byte[] buf = new byte[8192];
        int n;
        while ((n = from.read(buf)) > 0) {
          to.write(buf, 0, n);
          to.flush();
        }
      } catch (IOException ignored) {
        // channel closed
      }
    }

    @Override
    public void destroy(ChannelSession channel) {
      if (process != null) {
        process.destroy();
      }
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
