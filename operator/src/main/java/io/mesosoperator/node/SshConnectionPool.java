package io.mesosoperator.node;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import net.schmizz.sshj.SSHClient;

/**
 * Logged-in sshj connections kept open between passes, at most one idle connection per key. A
 * connection is handed out to one user at a time (taken out of the pool while in use) and only for
 * exactly the same address, port, user, login secrets and verified host key it was made with. Idle
 * connections are closed after {@code idleTimeout} by a daemon thread started on first use.
 *
 * <p>A full pool keeps what it has and closes the connection given back. Resyncs visit the nodes in
 * a cycle: evicting the connection idle for longest would evict exactly the one needed next, so
 * with more nodes than room nothing would ever be reused. Keeping the first {@code maxIdle} nodes'
 * connections serves those nodes; the others log in afresh, as without a pool. Each kept connection
 * costs sshj's 256 KiB receive buffer and two threads (reader and keep-alive), so the bound is also
 * the operator's memory and thread bound for SSH.
 */
final class SshConnectionPool implements AutoCloseable {

  /**
   * What a connection may be reused for. {@code secrets} is a digest of the login's key material,
   * so a rotated admin key never rides on a connection made with the old one; {@code hostKey} is
   * the fingerprint verified when the connection was made. toString() leaves the digest out.
   */
  record Key(String host, int port, String user, String secrets, String hostKey) {
    static Key of(String host, int port, SshSessions.Login login, String hostKey) {
      return new Key(host, port, login.user(), digest(login), hostKey);
    }

    boolean sameEndpoint(Key other) {
      return host.equals(other.host) && port == other.port && user.equals(other.user);
    }

    @Override
    public String toString() {
      return "Key[" + user + "@" + host + ":" + port + ", " + hostKey + "]";
    }

    private static String digest(SshSessions.Login login) {
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (String s : new String[] {login.privateKey(), login.publicKey(), login.password()}) {
          md.update(String.valueOf(s).getBytes(StandardCharsets.UTF_8));
          md.update((byte) 0);
        }
        return Base64.getEncoder().withoutPadding().encodeToString(md.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every JDK", e);
      }
    }
  }

  private record Idle(SSHClient client, long sinceNanos) {}

  private final int maxIdle;
  private final Duration idleTimeout;
  private final LongSupplier nanoTime;

  /** Insertion order is release order: the head has been idle longest. */
  private final LinkedHashMap<Key, Idle> idle = new LinkedHashMap<>();

  private ScheduledExecutorService reaper;
  private boolean closed;

  /** Counters for tests and the benchmark. */
  final AtomicLong taken = new AtomicLong();

  final AtomicLong expired = new AtomicLong();

  /** Connections closed after use because the pool was full. */
  final AtomicLong full = new AtomicLong();

  /**
   * @param maxIdle most idle connections kept (0: none, so nothing is pooled)
   * @param idleTimeout how long an unused connection stays open
   * @param nanoTime clock for the idle time ({@link System#nanoTime} outside tests)
   */
  SshConnectionPool(int maxIdle, Duration idleTimeout, LongSupplier nanoTime) {
    this.maxIdle = maxIdle;
    this.idleTimeout = idleTimeout;
    this.nanoTime = nanoTime;
  }

  boolean enabled() {
    return maxIdle > 0 && !idleTimeout.isZero() && !idleTimeout.isNegative();
  }

  /**
   * The idle connection for exactly this key, removed from the pool, or null. Idle connections to
   * the same endpoint with another host key are closed: the pinned key moved on.
   */
  SSHClient take(Key key) {
    List<SSHClient> stale = new ArrayList<>();
    SSHClient found = null;
    synchronized (this) {
      Iterator<Map.Entry<Key, Idle>> it = idle.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Key, Idle> e = it.next();
        if (e.getKey().equals(key)) {
          found = e.getValue().client();
          it.remove();
        } else if (e.getKey().sameEndpoint(key) && !e.getKey().hostKey().equals(key.hostKey())) {
          stale.add(e.getValue().client());
          it.remove();
        }
      }
    }
    stale.forEach(SshConnectionPool::closeQuietly);
    if (found != null) {
      taken.incrementAndGet();
    }
    return found;
  }

  /** Keeps a connection that is still logged in for the next {@link #take}, or closes it. */
  void give(Key key, SSHClient client) {
    if (!client.isConnected() || !client.isAuthenticated()) {
      closeQuietly(client);
      return;
    }
    List<SSHClient> out = new ArrayList<>();
    synchronized (this) {
      if (closed || !enabled()) {
        out.add(client);
      } else {
        Idle previous = idle.remove(key);
        if (previous != null) {
          out.add(previous.client()); // two were in use at once; keep the newer
        }
        if (idle.size() >= maxIdle) {
          out.add(client);
          full.incrementAndGet();
        } else {
          idle.put(key, new Idle(client, nanoTime.getAsLong()));
          startReaper();
        }
      }
    }
    out.forEach(SshConnectionPool::closeQuietly);
  }

  /** Closes the connections idle for longer than the idle timeout; returns how many. */
  int reap() {
    List<SSHClient> out = new ArrayList<>();
    long now = nanoTime.getAsLong();
    synchronized (this) {
      Iterator<Idle> it = idle.values().iterator();
      while (it.hasNext()) {
        Idle i = it.next();
        if (now - i.sinceNanos() < idleTimeout.toNanos()) {
          break; // release order: the rest are younger
        }
        out.add(i.client());
        it.remove();
      }
    }
    out.forEach(SshConnectionPool::closeQuietly);
    expired.addAndGet(out.size());
    return out.size();
  }

  synchronized int idleCount() {
    return idle.size();
  }

  private void startReaper() {
    if (reaper != null) {
      return;
    }
    reaper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ssh-pool-reaper");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(1000, Math.min(idleTimeout.toMillis() / 4, 30_000));
    reaper.scheduleWithFixedDelay(
        () -> {
          try {
            reap();
          } catch (RuntimeException e) {
            // never let the reaper die on one bad close
          }
        },
        period,
        period,
        TimeUnit.MILLISECONDS);
  }

  /** Closes every idle connection; later {@link #give} calls close theirs at once. */
  @Override
  public void close() {
    List<SSHClient> out = new ArrayList<>();
    ScheduledExecutorService r;
    synchronized (this) {
      closed = true;
      idle.values().forEach(i -> out.add(i.client()));
      idle.clear();
      r = reaper;
      reaper = null;
    }
    if (r != null) {
      r.shutdownNow();
    }
    out.forEach(SshConnectionPool::closeQuietly);
  }

  static void closeQuietly(SSHClient client) {
    try {
      client.close();
    } catch (java.io.IOException | RuntimeException ignored) {
      // closing a connection we no longer want; nothing to report
    }
  }
}
