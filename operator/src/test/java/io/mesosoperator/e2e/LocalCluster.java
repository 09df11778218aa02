package io.mesosoperator.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.CountingMachineProvider;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.SshNodeConfigurer;
import io.mesosoperator.reconcile.DefaultProviderResolver;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.reconcile.ProviderResolver;
import io.mesosoperator.reconcile.SshClusterObserver;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.standin.StandIns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator in-process with its production wiring (local provider through {@link
 * DefaultProviderResolver}, {@link SshNodeConfigurer}, {@link ClusterRenderer#render}, {@link
 * SshClusterObserver}) plus what a real node would have had from its packages: the TEST STAND-INS
 * for mesos-master, mesos-slave and Marathon, installed into every local machine before the
 * operator sees it (a machine's create returns once they are in, as a machine booted from an image
 * with the packages would; a loop catches machines made by an earlier operator). Every provider is
 * wrapped in a {@link CountingMachineProvider} so tests can see cloud mutations. Shared by {@code
 * LocalClusterE2EIT} and {@code Demo}.
 */
public final class LocalCluster implements AutoCloseable {
  /** What the local machines are: the host's Debian, SysV init scripts (no systemd inside). */
  public static final NodeFacts BOOKWORM = new NodeFacts("debian", "bookworm", InitStyle.SYSVINIT);

  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

  private final Path stateDir;
  private final UnaryOperator<NodeConfigurer> configurers;
  private final KubernetesClient client;
  private final Duration resync;
  private final Set<String> namespaces;
  private final String leaseName;
  private final String leaseNamespace;
  private final java.util.concurrent.atomic.AtomicInteger leadershipLost =
      new java.util.concurrent.atomic.AtomicInteger();
  private final CountingResolver resolver;
  private DefaultProviderResolver defaults;
  private volatile OperatorRuntime operator;
  private final Thread installer;
  private final List<Path> classpath;
  private final Set<String> installed = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> installing = new ConcurrentHashMap<>();
  private volatile boolean closing;
  private volatile boolean initLinks;
  private volatile boolean createsHeld;

  /**
   * Starts the operator (all namespaces, no leader election) and the stand-in installer.
   *
   * @param stateDir the local provider's state directory (machines live below it)
   * @param resync how often a converged resource is observed again
   */
  public LocalCluster(KubernetesClient client, Path stateDir, Duration resync) {
    this(client, stateDir, resync, Set.of());
  }

  /**
   * Starts the operator watching only {@code namespaces} (empty: all), as a test sharing the JVM's
   * control plane with other tests must.
   */
  public LocalCluster(
      KubernetesClient client, Path stateDir, Duration resync, Set<String> namespaces) {
    this(client, stateDir, resync, namespaces, null, null);
  }

  /**
   * Starts the operator watching {@code namespaces} (empty: all) with leader election on the Lease
   * {@code leaseNamespace/leaseName} (null name: none), as the Helm chart starts it. A lost
   * leadership is counted ({@link #leadershipLost()}) instead of ending the JVM.
   */
  public LocalCluster(
      KubernetesClient client,
      Path stateDir,
      Duration resync,
      Set<String> namespaces,
      String leaseName,
      String leaseNamespace) {
    this(client, stateDir, resync, namespaces, leaseName, leaseNamespace, c -> c);
  }

  /**
   * The same, with the production {@link SshNodeConfigurer} handed to {@code configurers} first (a
   * benchmark counts and times the node passes through a decorator).
   */
  public LocalCluster(
      KubernetesClient client,
      Path stateDir,
      Duration resync,
      Set<String> namespaces,
      String leaseName,
      String leaseNamespace,
      UnaryOperator<NodeConfigurer> configurers) {
    this.configurers = configurers;
    this.stateDir = stateDir;
    this.client = client;
    this.resync = resync;
    this.namespaces = Set.copyOf(namespaces);
    this.leaseName = leaseName;
    this.leaseNamespace = leaseNamespace;
    this.resolver = new CountingResolver();
    try {
      this.classpath = StandIns.standInClasspath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.installer = new Thread(this::installLoop, "standin-installer");
    installer.setDaemon(true);
    installer.start();
    startOperator();
  }

  /**
   * Starts a fresh operator (new runtime, new provider resolver: nothing cached from a previous
   * run), as a restarted operator pod would. The machines are whatever the host has.
   */
  public synchronized void startOperator() {
    if (operator != null) {
      throw new IllegalStateException("the operator is running");
    }
    defaults = new DefaultProviderResolver(client, stateDir);
    resolver.delegate = defaults;
    operator =
        new OperatorRuntime(
            client,
            resolver,
            configurers.apply(new SshNodeConfigurer()),
            ClusterRenderer::render,
            new SshClusterObserver(),
            OperatorMetrics.inMemory(),
            Clock.systemUTC(),
            new OperatorRuntime.Settings(namespaces, leaseName, leaseNamespace, 16, resync),
            () -> {
              leadershipLost.incrementAndGet();
              LOG.error(
                  "the operator lost its leadership of Lease {}/{}", leaseNamespace, leaseName);
            });
    operator.start();
  }

  /** Stops the operator as a killed pod would stop; machines and the stand-in installer stay. */
  public synchronized void stopOperator() {
    if (operator != null) {
      operator.close();
      defaults.close();
      operator = null;
    }
  }

  /** What is missing on this host for local machines (empty when everything is there). */
  public static List<String> missingPrerequisites() {
    return io.mesosoperator.testing.Prerequisites.missing();
  }

  public Path stateDir() {
    return stateDir;
  }

  /** How often the operator lost its leadership (leader election on) while not being stopped. */
  public int leadershipLost() {
    return leadershipLost.get();
  }

  /** The counting provider the operator uses for a cluster, once it resolved one. */
  public CountingMachineProvider provider(String clusterUid) {
    return resolver.byCluster.get(clusterUid);
  }

  /** The local provider under {@link #provider(String)}. */
  public LocalMachineProvider local(String clusterUid) {
    CountingMachineProvider p = provider(clusterUid);
    return p == null ? null : localUnder(p);
  }

  /** The local provider under the counting and caching wrappers, or null. */
  private static LocalMachineProvider localUnder(MachineProvider p) {
    while (true) {
      if (p instanceof LocalMachineProvider local) {
        return local;
      } else if (p instanceof CountingMachineProvider c) {
        p = c.delegate();
      } else if (p instanceof io.mesosoperator.cloud.CachingMachineProvider c) {
        p = c.delegate();
      } else if (p instanceof LocalCluster.Installing i) {
        p = i.delegate;
      } else {
        return null;
      }
    }
  }

  /** Machine ids the stand-ins were installed into. */
  public Set<String> standInsInstalled() {
    return Set.copyOf(installed);
  }

  /** A shell into a machine of a cluster (nsenter, as root). */
  public StandIns.NodeShell shell(String clusterUid, String machineId) {
    return StandIns.nsenter(local(clusterUid), machineId);
  }

  /** Runs a shell command line inside a machine and returns its output. */
  public String sh(String clusterUid, String machineId, String script) throws IOException {
    return shell(clusterUid, machineId).run(List.of("sh", "-c", script), null);
  }

  /** Reads a file inside a machine ("" when absent). */
  public String cat(String clusterUid, String machineId, String path) throws IOException {
    return shell(clusterUid, machineId)
        .run(List.of("sh", "-c", "cat \"$1\" 2>/dev/null || true", "sh", path), null);
  }

  /**
   * From now on, also enables the stand-ins' init scripts in the runlevels ({@code update-rc.d NAME
   * defaults}) as the real packages' postinst does. Without it a SysV node has the scripts but no
   * runlevel links, and {@code update-rc.d NAME disable} (fencing a master) fails there.
   */
  public void registerInitLinks() {
    initLinks = true;
  }

  /**
   * While held, every machine create fails as a cloud out of capacity would (a transient error the
   * operator retries each pass), so no replacement can finish before the test lets it.
   */
  public void holdCreates(boolean held) {
    createsHeld = held;
    LOG.info("machine creates {}", held ? "held: the cloud refuses them" : "allowed again");
  }

  /** Stops the installer and the operator (the machines stay). */
  @Override
  public void close() {
    closing = true;
    installer.interrupt();
    try {
      installer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopOperator();
  }

  /**
   * Destroys whatever machines of a cluster are left and its bridge, with a provider of its own
   * (for teardown after a failure: call after {@link #close()} so nothing recreates them).
   */
  public static List<String> destroyLeftovers(Path stateDir, String cidr, String clusterUid)
      throws CloudException {
    List<String> destroyed = new ArrayList<>();
    try (LocalMachineProvider p = new LocalMachineProvider(null, cidr, stateDir, null, null)) {
      for (Machine m : p.list(clusterUid)) {
        p.destroy(m.id());
        destroyed.add(m.id());
      }
      p.releaseNetwork(clusterUid);
    }
    return destroyed;
  }

  /** Host PIDs in a network namespace (ip netns pids). */
  public static List<Long> netnsPids(String netns) throws IOException {
    List<Long> pids = new ArrayList<>();
    for (String s : host(List.of("ip", "netns", "pids", netns)).split("\\s+")) {
      if (s.matches("\\d{1,10}")) {
        pids.add(Long.parseLong(s));
      }
    }
    return pids;
  }

  /** Command line of a host process ("" when gone). */
  public static String cmdline(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), UTF8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  /** Alive and not a zombie. */
  public static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs a host command (bounded), returns stdout, throws unless it exits 0. */
  public static String host(List<String> argv) throws IOException {
    Path out = Files.createTempFile("mo-e2e-", ".out");
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(argv + " did not finish within 60 s");
      }
      String o = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IOException(argv + " exited " + p.exitValue() + ": " + o);
      }
      return o;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  /** Installs the stand-ins into every running machine it has not done yet; polls. */
  private void installLoop() {
    while (!closing && !Thread.currentThread().isInterrupted()) {
      for (Map.Entry<String, CountingMachineProvider> e : resolver.byCluster.entrySet()) {
        LocalMachineProvider local = localUnder(e.getValue());
        if (local == null) {
          continue;
        }
        try {
          for (Machine m : local.list(e.getKey())) {
            if (closing) {
              break;
            }
            if (m.state() == Machine.State.RUNNING) {
              installOnce(local, m);
            }
          }
        } catch (CloudException | IOException | RuntimeException ex) {
          LOG.debug("stand-in install deferred: {}", ex.getMessage());
        }
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException ex) {
        return;
      }
    }
  }

  /**
   * One round of the stand-in installer: puts the TEST STAND-INS into every running machine of a
   * cluster not in {@code installed} yet, and adds it there. A machine still booting or already
   * going is left for the next round.
   */
  public static void installStandIns(
      LocalMachineProvider local,
      String clusterUid,
      List<Path> classpath,
      Set<String> installed,
      boolean initLinks,
      java.util.function.BooleanSupplier stop) {
    try {
      for (Machine m : local.list(clusterUid)) {
        if (stop.getAsBoolean()
            || m.state() != Machine.State.RUNNING
            || installed.contains(m.id())) {
          continue;
        }
        StandIns.install(StandIns.nsenter(local, m.id()), classpath);
        if (initLinks) {
          for (String service : StandIns.SERVICES.keySet()) {
            StandIns.nsenter(local, m.id()).run(List.of("update-rc.d", service, "defaults"), null);
          }
        }
        installed.add(m.id());
        LOG.info("stand-ins installed into {} ({})", m.id(), m.node());
      }
    } catch (CloudException | IOException | RuntimeException ex) {
      LOG.debug("stand-in install deferred: {}", ex.getMessage());
    }
  }

  /**
   * Installs the stand-ins into one machine unless that was done, one installation per machine at a
   * time (the create hook and the loop may both find it).
   */
  private void installOnce(LocalMachineProvider local, Machine m) throws IOException {
    synchronized (installing.computeIfAbsent(m.id(), id -> new Object())) {
      if (installed.contains(m.id())) {
        return;
      }
      StandIns.install(StandIns.nsenter(local, m.id()), classpath);
      if (initLinks) {
        for (String service : StandIns.SERVICES.keySet()) {
          StandIns.nsenter(local, m.id()).run(List.of("update-rc.d", service, "defaults"), null);
        }
      }
      installed.add(m.id());
      LOG.info("stand-ins installed into {} ({})", m.id(), m.node());
    }
  }

  /**
   * A local cluster's provider whose create returns once the stand-ins are in the new machine: the
   * operator's first pass over a machine must find what its packages would have installed, or the
   * services it starts never come up and that node's restart turn waits out the service timeout.
   */
  private final class Installing implements MachineProvider {
    final MachineProvider delegate;

    Installing(MachineProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public String cloudFirewall() {
      return delegate.cloudFirewall();
    }

    @Override
    public void ensureNetwork(io.mesosoperator.cloud.NetworkRequest request) throws CloudException {
      delegate.ensureNetwork(request);
    }

    @Override
    public List<Machine> list(String clusterUid) throws CloudException {
      return delegate.list(clusterUid);
    }

    @Override
    public Machine create(io.mesosoperator.cloud.MachineRequest request) throws CloudException {
      if (createsHeld) {
        throw new CloudException("out of capacity (machine creates held by the test)", true);
      }
      Machine m = delegate.create(request);
      LocalMachineProvider local = localUnder(delegate);
      if (local != null && m.state() == Machine.State.RUNNING && !closing) {
        try {
          installOnce(local, m);
        } catch (IOException | RuntimeException e) {
          // The loop tries again.
          LOG.info("stand-ins not installed into {} yet: {}", m.id(), e.getMessage());
        }
      }
      return m;
    }

    @Override
    public void destroy(String machineId) throws CloudException {
      delegate.destroy(machineId);
    }

    @Override
    public void releaseNetwork(String clusterUid) throws CloudException {
      delegate.releaseNetwork(clusterUid);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** Wraps each provider the default resolver builds in one installing, counting provider. */
  private final class CountingResolver implements ProviderResolver {
    volatile ProviderResolver delegate;
    final Map<String, CountingMachineProvider> byCluster = new ConcurrentHashMap<>();

    @Override
    public MachineProvider resolve(MesosCluster cluster) throws CloudException {
      MachineProvider p = delegate.resolve(cluster);
      return byCluster.compute(
          cluster.getMetadata().getUid(),
          (uid, old) ->
              old != null && old.delegate() instanceof Installing i && i.delegate == p
                  ? old
                  : new CountingMachineProvider(new Installing(p)));
    }
  }
}
