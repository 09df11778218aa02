package io.mesosoperator.standin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through ZooKeeper the way Mesos does it: every contender owns one ephemeral
 * sequential znode {@code <path>/<prefix>NNNNNNNNNN} holding its address; the lowest sequence
 * leads. A contender whose session expires re-contends with a new session (and a higher sequence).
 * An observer ({@code data == null}) only watches.
 *
 * <p>All ZooKeeper work happens on one thread: on watch events and on a one-second tick, so a lost
 * event or a failed call is retried without any extra bookkeeping.
 */
final class Election implements AutoCloseable {

  /** One contender as read from ZooKeeper. */
  record Member(String name, long sequence, byte[] data) {}

  private static final Logger LOG = LoggerFactory.getLogger(Election.class);

  private final String connectString;
  private final String path;
  private final String prefix;
  private final byte[] data;
  private final int sessionTimeoutMs;
  private final Runnable onChange;
  private final ScheduledExecutorService exec;

  private volatile ZooKeeper zk;
  private volatile String ownNode;
  private volatile List<Member> members = List.of();
  private volatile boolean closed;

  Election(
      String name,
      String connectString,
      String path,
      String prefix,
      byte[] data,
      int sessionTimeoutMs,
      Runnable onChange) {
    this.connectString = connectString;
    this.path = path;
    this.prefix = prefix;
    this.data = data;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.onChange = onChange;
    this.exec =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name + "-zk");
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    exec.scheduleWithFixedDelay(this::refresh, 0, 1, TimeUnit.SECONDS);
  }

  /** Contenders, lowest sequence first, as last read. */
  List<Member> members() {
    return members;
  }

  Optional<Member> lowest() {
    List<Member> m = members;
    return m.isEmpty() ? Optional.empty() : Optional.of(m.get(0));
  }

  /** True when this contender's znode is the lowest. */
  boolean isLowest() {
    String own = ownNode;
    return own != null && lowest().map(m -> own.endsWith("/" + m.name())).orElse(false);
  }

  /** The current client, or null before the first connection. For reads and writes of state. */
  ZooKeeper zk() {
    return zk;
  }

  long sessionId() {
    ZooKeeper z = zk;
    return z == null ? 0 : z.getSessionId();
  }

  byte[] sessionPassword() {
    ZooKeeper z = zk;
    return z == null ? new byte[0] : z.getSessionPasswd();
  }

  private final Watcher watcher = this::onEvent;

  private void onEvent(WatchedEvent e) {
    soon();
  }

  /** Another refresh as soon as the thread is free (never after close). */
  private void soon() {
    if (!closed) {
      try {
        exec.execute(this::refresh);
      } catch (RejectedExecutionException closing) {
        // closed meanwhile
      }
    }
  }

  private void refresh() {
    if (closed) {
      return;
    }
    try {
      ZooKeeper z = client();
      if (z.getState() != ZooKeeper.States.CONNECTED) {
        return; // the tick comes back; the client reconnects by itself
      }
      if (z.exists(path, false) == null) {
        ensurePath(z, path);
      }
      List<String> children = z.getChildren(path, watcher);
      if (data != null && ownNode == null) {
        ownNode = adoptOrCreate(z, children);
        children = z.getChildren(path, watcher);
      }
      List<Member> next = new ArrayList<>();
      for (String c : children) {
        if (!c.startsWith(prefix)) {
          continue;
        }
        try {
          byte[] d = z.getData(path + "/" + c, false, null);
          next.add(new Member(c, sequence(c), d));
        } catch (KeeperException.NoNodeException gone) {
          // left between the two calls
        }
      }
      next.sort(Comparator.comparingLong(Member::sequence));
      if (ownNode != null && next.stream().noneMatch(m -> ownNode.endsWith("/" + m.name()))) {
        ownNode = null; // deleted under us: contend again at the next refresh
        soon();
      }
      if (!sameMembers(members, next)) {
        members = List.copyOf(next);
        onChange.run();
      }
    } catch (KeeperException.SessionExpiredException e) {
      dropSession();
    } catch (KeeperException e) {
      LOG.debug("election under {}: {}", path, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("election under {} failed", path, e);
    }
  }

  /** A node we created before a lost reply would still count as a master: adopt it. */
  private String adoptOrCreate(ZooKeeper z, List<String> children)
      throws KeeperException, InterruptedException {
    for (String c : children) {
      if (c.startsWith(prefix)) {
        Stat st = new Stat();
        try {
          z.getData(path + "/" + c, false, st);
        } catch (KeeperException.NoNodeException gone) {
          continue;
        }
        if (st.getEphemeralOwner() == z.getSessionId()) {
          return path + "/" + c;
        }
      }
    }
    return z.create(
        path + "/" + prefix, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
  }

  private ZooKeeper client() throws InterruptedException {
    ZooKeeper z = zk;
    if (z == null || !z.getState().isAlive()) {
      if (z != null) {
        LOG.info("ZooKeeper session for {} ended; contending again with a new one", path);
        z.close();
      }
      ownNode = null;
      try {
        z = new ZooKeeper(connectString, sessionTimeoutMs, watcher);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot create ZooKeeper client: " + e.getMessage(), e);
      }
      zk = z;
    }
    return z;
  }

  private void dropSession() {
    ZooKeeper z = zk;
    if (z != null) {
      try {
        z.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ownNode = null;
    if (!members.isEmpty()) {
      members = List.of();
      onChange.run();
    }
    soon();
  }

  static void ensurePath(ZooKeeper z, String p) throws KeeperException, InterruptedException {
    StringBuilder b = new StringBuilder();
    for (String part : p.substring(1).split("/")) {
      b.append('/').append(part);
      try {
        z.create(b.toString(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException e) {
        // already there
      }
    }
  }

  private static long sequence(String name) {
    String digits = name.substring(Math.max(0, name.length() - 10));
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static boolean sameMembers(List<Member> a, List<Member> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).name().equals(b.get(i).name())
          || !Arrays.equals(a.get(i).data(), b.get(i).data())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    closed = true;
    exec.shutdownNow();
    try {
      exec.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ZooKeeper z = zk;
    if (z != null) {
      try {
        z.close(); // ephemeral znodes go at once: the others re-elect without a session timeout
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
