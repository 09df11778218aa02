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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
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

/**
 * {@link SshSessions} over sshj, with connect, login and command timeouts. {@link #reuse} keeps the
 * admin's logged-in connections open between passes (see {@link Pooling}); {@link #close} closes
 * them.
 */
public final class SshjSessions implements SshSessions, AutoCloseable {

  /** The remote command: reads the script from stdin, then runs it with stdin closed. */
  static final String SHELL = "/bin/sh -c 'mo_script=$(cat) && eval \"$mo_script\" </dev/null'";

  /**
   * Through sudo, which drops SSH_CONNECTION: the login shell expands it and sudo passes it on as
   * MESOS_OPERATOR_SSH, so the scripts know the session's source address as the node sees it (the
   * host firewall keeps that address admitted). sudo allows setting it for a rule of {@code ALL}.
   */
  static final String SUDO_SHELL = "sudo -n MESOS_OPERATOR_SSH=\"$SSH_CONNECTION\" " + SHELL;

  /** Keeps at most this much of stderr. */
  private static final int STDERR_TAIL = 8192;

  /**
   * @param connect TCP connect timeout
   * @param login key exchange and authentication timeout (also the wait for a channel to open)
   * @param command how long one remote script may run
   */
  public record Timeouts(Duration connect, Duration login, Duration command) {
    public static final Timeouts DEFAULT =
        new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(30));
  }

  /**
   * Connections kept for {@link #reuse}.
   *
   * @param maxIdle most idle connections kept open (one per node and login); 0 turns pooling off.
   *     Each costs about 260 KiB of heap and two threads; nodes beyond the bound log in afresh
   * @param idleTimeout an unused connection is closed after this long; a few resync periods
   */
  public record Pooling(int maxIdle, Duration idleTimeout) {
    /** The default bound: clusters up to 256 nodes keep every connection. */
    public static final int DEFAULT_MAX_IDLE = 256;

    public static final Pooling DEFAULT = new Pooling(DEFAULT_MAX_IDLE, Duration.ofMinutes(5));
    public static final Pooling OFF = new Pooling(0, Duration.ZERO);

    public Pooling {
      if (maxIdle < 0) {
        throw new IllegalArgumentException("maxIdle must be 0 or more, was " + maxIdle);
      }
    }

    /** Idle connections outlive {@code periods} resyncs of {@code resync}. */
    public static Pooling forResync(Duration resync, int periods) {
      return new Pooling(DEFAULT_MAX_IDLE, resync.multipliedBy(periods).plusSeconds(5));
    }

    /** The same idle time with another bound. */
    public Pooling withMaxIdle(int max) {
      return new Pooling(max, idleTimeout);
    }
  }

  private final Timeouts timeouts;
  private final DefaultConfig config = new DefaultConfig();
  private final SshConnectionPool pool;
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong reused = new AtomicLong();

  public SshjSessions() {
    this(Timeouts.DEFAULT);
  }

  public SshjSessions(Timeouts timeouts) {
    this(timeouts, Pooling.DEFAULT);
  }

  public SshjSessions(Timeouts timeouts, Pooling pooling) {
    this(timeouts, pooling, System::nanoTime);
  }

  SshjSessions(Timeouts timeouts, Pooling pooling, LongSupplier nanoTime) {
    this.timeouts = timeouts;
    config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
    this.pool = new SshConnectionPool(pooling.maxIdle(), pooling.idleTimeout(), nanoTime);
  }

  /** New SSH connections made (key exchange and login) since construction. */
  public long connectionsOpened() {
    return opened.get();
  }

  /** Sessions served over an already logged-in connection from the pool. */
  public long connectionsReused() {
    return reused.get();
  }

  SshConnectionPool pool() {
    return pool;
  }

  @Override
  public SshSession open(String host, int port, Login login, String pinnedHostKey)
      throws IOException {
    Connected c = connect(host, port, login, pinnedHostKey);
    return new SshjSession(c.client(), c.hostKey(), login.user(), timeouts.command(), null, null);
  }

  /**
   * Pools only key logins against a pinned host key: with nothing pinned (first use) or with a
   * password (a first login) this is {@link #open}. A pooled connection is checked by opening the
   * channel the first command runs on; when that fails, before anything was sent, one fresh
   * connection is made instead, with the same host key check as {@link #open}.
   */
  @Override
  public SshSession reuse(String host, int port, Login login, String pinnedHostKey)
      throws IOException {
    if (!poolable(login, pinnedHostKey)) {
      return open(host, port, login, pinnedHostKey);
    }
    String pin = pinnedHostKey.trim();
    SshConnectionPool.Key key = SshConnectionPool.Key.of(host, port, login, pin);
    SSHClient client = pool.take(key);
    Session first = null;
    if (client != null) {
      if (client.isConnected() && client.isAuthenticated()) {
        try {
          first = client.startSession();
        } catch (IOException | RuntimeException e) {
          // the node or the network dropped it while idle: replaced below
        }
      }
      if (first == null) {
        closeQuietly(client);
        client = null;
      } else {
        reused.incrementAndGet();
      }
    }
    if (client == null) {
      client = connect(host, port, login, pin).client();
    }
    return new SshjSession(client, pin, login.user(), timeouts.command(), first, key);
  }

  /** A fresh login, as {@link #open}; with a pinned key and no password, kept when closed. */
  @Override
  public SshSession openReusable(String host, int port, Login login, String pinnedHostKey)
      throws IOException {
    if (!poolable(login, pinnedHostKey)) {
      return open(host, port, login, pinnedHostKey);
    }
    String pin = pinnedHostKey.trim();
    SSHClient client = connect(host, port, login, pin).client();
    return new SshjSession(
        client,
        pin,
        login.user(),
        timeouts.command(),
        null,
        SshConnectionPool.Key.of(host, port, login, pin));
  }

  /** Never first use (nothing pinned) and never a password login (a cloud's first login). */
  private boolean poolable(Login login, String pinnedHostKey) {
    return pool.enabled()
        && pinnedHostKey != null
        && !pinnedHostKey.isBlank()
        && login.password() == null;
  }

  /** Closes the idle connections; sessions still in use close theirs when they are closed. */
  @Override
  public void close() {
    pool.close();
  }

  private record Connected(SSHClient client, String hostKey) {}

  private Connected connect(String host, int port, Login login, String pinnedHostKey)
      throws IOException {
    PinningHostKeyVerifier verifier = new PinningHostKeyVerifier(pinnedHostKey);
    SSHClient client = new SSHClient(config);
    boolean ok = false;
    try {
      client.addHostKeyVerifier(verifier);
      client.setConnectTimeout((int) timeouts.connect().toMillis());
      client.getTransport().setTimeoutMs((int) timeouts.login().toMillis());
      client.getConnection().setTimeoutMs((int) timeouts.login().toMillis());
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
      client.auth(login.user(), methods(client, login));
      opened.incrementAndGet();
      ok = true;
      return new Connected(client, verifier.presented());
    } catch (UserAuthException e) {
      Throwable dropped = connectionFailure(e);
      if (dropped != null) {
        // Not a refusal: the connection broke (or timed out) while logging in. The node is
        // unreachable, and a first login must not be tried as if the key had been refused.
        throw new IOException(
            "the connection dropped during the login as "
                + login.user()
                + " ("
                + dropped.getClass().getSimpleName()
                + ")",
            e);
      }
      throw new AuthenticationException(
          "the node refused the login as " + login.user(), verifier.presented());
    } finally {
      if (!ok) {
        closeQuietly(client);
      }
    }
  }

  /**
   * sshj reports both a refused login and a connection lost during it as {@link UserAuthException}:
   * a refusal has nothing beneath it but other authentication exceptions, a lost connection (or a
   * login timeout) has the transport's exception as its cause. Returns that cause, or null for a
   * refusal.
   */
  static Throwable connectionFailure(UserAuthException e) {
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (!(t instanceof UserAuthException)) {
        return t;
      }
    }
    return null;
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

  private final class SshjSession implements SshSession {
    private final SSHClient client;
    private final String hostKey;
    private final String user;
    private final Duration commandTimeout;
    private final SshConnectionPool.Key poolKey;

    /** The channel opened to check a pooled connection; the first command runs on it. */
    private Session pending;

    private boolean broken;
    private boolean closed;

    SshjSession(
        SSHClient client,
        String hostKey,
        String user,
        Duration commandTimeout,
        Session pending,
        SshConnectionPool.Key poolKey) {
      this.client = client;
      this.hostKey = hostKey;
      this.user = user;
      this.commandTimeout = commandTimeout;
      this.pending = pending;
      this.poolKey = poolKey;
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
      Session channel = pending;
      pending = null;
      try {
        return exec(channel != null ? channel : startSession(), script);
      } catch (IOException | RuntimeException e) {
        broken = true; // a timed-out or failed command leaves the connection in doubt
        throw e;
      }
    }

    private Session startSession() throws IOException {
      try {
        return client.startSession();
      } catch (IllegalStateException e) {
        // sshj's "Not connected": the connection dropped since the last command.
        throw new IOException("the connection to the node is closed", e);
      }
    }

    private Exec exec(Session opened, String script) throws IOException {
      String command = "root".equals(user) ? SHELL : SUDO_SHELL;
      long deadline = System.nanoTime() + commandTimeout.toNanos();
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
      if (closed) {
        return;
      }
      closed = true;
      if (pending != null) {
        try {
          pending.close();
        } catch (IOException | RuntimeException e) {
          broken = true;
        }
        pending = null;
      }
      if (poolKey != null && !broken) {
        pool.give(poolKey, client);
      } else {
        closeQuietly(client);
      }
    }
  }
}
