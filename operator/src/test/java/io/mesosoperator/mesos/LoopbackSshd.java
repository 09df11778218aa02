package io.mesosoperator.mesos;

import io.mesosoperator.node.SshSession;
import io.mesosoperator.node.SshSessions;
import io.mesosoperator.node.SshjSessions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An in-process MINA sshd on 127.0.0.1 (the pattern of node/FakeNode) that runs each command with
 * the real /bin/sh on this machine, with {@link #path} as PATH. Logins: user root, a random
 * password; so the session runs scripts without sudo.
 */
final class LoopbackSshd implements AutoCloseable {
  final List<String> commands = new CopyOnWriteArrayList<>();
  volatile String path = "/usr/local/bin:/usr/bin:/bin";
  private final String password = UUID.randomUUID().toString();
  private final SshServer server;

  LoopbackSshd() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    var hostKey = g.generateKeyPair();
    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(session -> List.of(hostKey));
    server.setPasswordAuthenticator(
        (user, pw, session) -> "root".equals(user) && password.equals(pw));
    server.setCommandFactory((channel, command) -> new ShellCommand(command));
    server.start();
  }

  SshSession open() throws IOException {
    SshSessions sessions =
        new SshjSessions(
            new SshjSessions.Timeouts(
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)));
    return sessions.open(
        "127.0.0.1", server.getPort(), new SshSessions.Login("root", null, null, password), null);
  }

  @Override
  public void close() throws IOException {
    server.stop(true);
  }

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
      commands.add(command);
      ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command);
      Map<String, String> e = pb.environment();
      e.clear();
      e.put("PATH", path);
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
                  exit.onExit(process.waitFor());
                } catch (InterruptedException ex) {
                  Thread.currentThread().interrupt();
                }
              });
      for (Thread t : List.of(pumpIn, pumpErr, main)) {
        t.setDaemon(true);
        t.start();
      }
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
}
