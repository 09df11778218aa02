package io.mesosoperator.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.keepalive.KeepAliveRunner;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthKeyboardInteractive;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPassword;
import net.schmizz.sshj.userauth.method.AuthPublickey;
import net.schmizz.sshj.userauth.method.PasswordResponseProvider;
import net.schmizz.sshj.userauth.password.PasswordUtils;

/** {@link SshSessions} over sshj, with connect, login and command timeouts. */
public final class SshjSessions implements SshSessions {

  /** The remote command: reads the script from stdin, then runs it with stdin closed. */
  static final String SHELL = "/bin/sh -c 'mo_script=$(cat) && eval \"$mo_script\" </dev/null'";

  /** Keeps at most this much of stderr. */
  private static final int STDERR_TAIL = 8192;

  /**
   * @param connect TCP connect timeout
   * @param login key exchange and authentication timeout
   * @param command how long one remote script may run
   */
  public record Timeouts(Duration connect, Duration login, Duration command) {
    public static final Timeouts DEFAULT =
        new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(30));
  }

  private final Timeouts timeouts;
  private final DefaultConfig config = new DefaultConfig();

  public SshjSessions() {
    this(Timeouts.DEFAULT);
  }

  public SshjSessions(Timeouts timeouts) {
    this.timeouts = timeouts;
    config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
  }

  @Override
  public SshSession open(String host, int port, Login login, String pinnedHostKey)
      throws IOException {
    PinningHostKeyVerifier verifier = new PinningHostKeyVerifier(pinnedHostKey);
    SSHClient client = new SSHClient(config);
    boolean ok = false;
    try {
      client.addHostKeyVerifier(verifier);
      client.setConnectTimeout((int) timeouts.connect().toMillis());
      client.getTransport().setTimeoutMs((int) timeouts.login().toMillis());
      // A node whose network goes away mid-command sends nothing, not even an end of file: without
      // keep-alives the pass would wait for the command timeout (30 min). 3 x 5 s unanswered.
      KeepAliveRunner keepAlive = (KeepAliveRunner) client.getConnection().getKeepAlive();
      keepAlive.setKeepAliveInterval(5);
      keepAlive.setMaxAliveCount(3);
      try {
        client.connect(host, port);
      } catch (IOException e) {
        if (verifier.pinned() != null
            && verifier.presented() != null
            && !verifier.pinned().equals(verifier.presented())) {
          throw new HostKeyMismatchException(verifier.pinned(), verifier.presented());
        }
        throw e;
      }
      String hostKey = verifier.presented();
      client.auth(login.user(), methods(client, login));
      ok = true;
      return new SshjSession(client, hostKey, login.user(), timeouts.command());
    } catch (UserAuthException e) {
      throw new AuthenticationException(
          "the node refused the login as " + login.user(), verifier.presented());
    } finally {
      if (!ok) {
        closeQuietly(client);
      }
    }
  }

  private static List<AuthMethod> methods(SSHClient client, Login login) throws IOException {
    List<AuthMethod> methods = new ArrayList<>();
    if (login.privateKey() != null && !login.privateKey().isBlank()) {
      KeyProvider keys;
      try {
        keys = client.loadKeys(login.privateKey(), null, null);
        keys.getPublic(); // parse now, so a bad key is reported as such
      } catch (IOException | RuntimeException e) {
        // The cause is dropped on purpose: parsers may quote the key material.
        throw new AuthenticationException(
            "the private key for " + login.user() + " could not be read (OpenSSH or PEM expected)",
            null);
      }
      methods.add(new AuthPublickey(keys));
    }
    if (login.password() != null) {
      char[] password = login.password().toCharArray();
      methods.add(new AuthPassword(PasswordUtils.createOneOff(password.clone())));
      methods.add(
          new AuthKeyboardInteractive(
              new PasswordResponseProvider(PasswordUtils.createOneOff(password.clone()))));
    }
    return methods;
  }

  private static void closeQuietly(SSHClient client) {
    try {
      client.close();
    } catch (IOException | RuntimeException ignored) {
      // closing a failed connection; nothing to report
    }
  }

  private static final class SshjSession implements SshSession {
    private final SSHClient client;
    private final String hostKey;
    private final String user;
    private final Duration commandTimeout;

    SshjSession(SSHClient client, String hostKey, String user, Duration commandTimeout) {
      this.client = client;
      this.hostKey = hostKey;
      this.user = user;
      this.commandTimeout = commandTimeout;
    }

    @Override
    public String hostKey() {
      return hostKey;
    }

    @Override
    public String user() {
      return user;
    }

    @Override
    public Exec run(String script) throws IOException {
      String command = "root".equals(user) ? SHELL : "sudo -n " + SHELL;
      long deadline = System.nanoTime() + commandTimeout.toNanos();
      Session opened;
      try {
        opened = client.startSession();
      } catch (IllegalStateException e) {
        // sshj's "Not connected": the connection dropped since the last command.
        throw new IOException("the connection to the node is closed", e);
      }
      try (Session session = opened) {
        Session.Command cmd = session.exec(command);
        try (OutputStream stdin = cmd.getOutputStream()) {
          stdin.write(script.getBytes(StandardCharsets.UTF_8));
          stdin.flush();
        }
        // Drain both streams in this thread: the SSH window is shared, so an unread stderr
        // could stall stdout.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream stdout = cmd.getInputStream();
        InputStream stderr = cmd.getErrorStream();
        byte[] buf = new byte[8192];
        while (true) {
          boolean progress = drain(stdout, out, buf) | drain(stderr, err, buf);
          if (err.size() > 4 * STDERR_TAIL) {
            byte[] tail = tail(err.toByteArray());
            err.reset();
            err.write(tail);
          }
          if (!progress && (cmd.isEOF() || !cmd.isOpen())) {
            if (stdout.available() == 0 && stderr.available() == 0) {
              break;
            }
          }
          if (System.nanoTime() > deadline) {
            throw new IOException("remote command timed out after " + commandTimeout);
          }
          if (!progress) {
            sleep();
          }
        }
        cmd.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        Integer status = cmd.getExitStatus();
        return new Exec(
            status == null ? -1 : status,
            out.toString(StandardCharsets.UTF_8),
            new String(tail(err.toByteArray()), StandardCharsets.UTF_8));
      }
    }

    private static boolean drain(InputStream in, ByteArrayOutputStream to, byte[] buf)
        throws IOException {
      boolean any = false;
      int n;
      while (in.available() > 0
          && (n = in.read(buf, 0, Math.min(buf.length, in.available()))) > 0) {
        to.write(buf, 0, n);
        any = true;
      }
      return any;
    }

    private static byte[] tail(byte[] all) {
      if (all.length <= STDERR_TAIL) {
        return all;
      }
      byte[] t = new byte[STDERR_TAIL];
      System.arraycopy(all, all.length - STDERR_TAIL, t, 0, STDERR_TAIL);
      return t;
    }

    private static void sleep() throws IOException {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the node", e);
      }
    }

    @Override
    public void close() {
      closeQuietly(client);
    }
  }
}
