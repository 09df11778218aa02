package io.mesosoperator.cloud.local;

import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.LoginCredentials;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.NetworkRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Machines that are Linux namespaces on this host (the project's development and test cloud, as
 * Cluster API has a Docker provider).
 *
 * <p>A machine is a network namespace with one veth on a bridge this provider creates, its own
 * address in a private range, and fresh UTS, IPC, PID and mount namespaces in which {@code /etc},
 * {@code /var}, {@code /usr}, {@code /opt}, {@code /srv} are overlay copies of the host's (the
 * machine's image), {@code /root} and {@code /home} start empty as on a fresh cloud machine (only
 * root's {@code .ssh/authorized_keys} with the provider's key), and {@code /run}, {@code /tmp},
 * {@code /dev/shm} are private tmpfs. Its PID 1 is a small reaping init, started with an empty
 * environment, that started the machine's own sshd (fresh host key, key-only login). Nothing of the
 * host's home directories or environment reaches the machine.
 *
 * <p>Everything is found again from the host: a machine is a directory {@code <stateDir>/<id>/}
 * holding its tags ({@code machine.properties}) and overlay layers, plus the kernel objects named
 * after its id. The nodes reach only each other and the host's bridge address: no route out, no
 * NAT. Needs root.
 */
public final class LocalMachineProvider implements MachineProvider {

  /** The range used when none is given. */
  public static final String DEFAULT_CIDR = "10.213.0.0/24";

  /** Where machine state lives when no directory is given. */
  public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/mesos-operator/local");

  static final String NEEDS_ROOT =
      "the local provider needs root (network namespaces); run as root or use another provider";

  private static final Logger LOG = LoggerFactory.getLogger(LocalMachineProvider.class);

  private static final Pattern MACHINE_ID = Pattern.compile("^lm-[0-9a-f]{8}$");
  private static final Pattern BRIDGE = Pattern.compile("^[a-z][a-z0-9_-]{0,14}$");
  private static final Pattern HOSTNAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$");
  private static final Pattern ROLE = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
  private static final Pattern MAC = Pattern.compile("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$");
  private static final Pattern UID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9-]{0,63}$");
  private static final Pattern PUBLIC_KEY =
      Pattern.compile(
          "^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$");

  /** The whole environment of a machine's init and of commands entered with nsenter. */
  static final Map<String, String> MACHINE_ENV =
      Map.of(
          "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "HOME", "/root",
          "LANG", "C.UTF-8");

  private static final String PROPERTIES = "machine.properties";
  private static final String INIT_SCRIPT = "node-init.sh";
  private static final Duration SSH_READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

  /** One monitor per state directory: file locks do not exclude threads of the same JVM. */
  private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private final String bridge;
  private final Cidr cidr;
  private final Path stateDir;
  private final String authorizedKey;
  private final String privateKey;
  private final IntSupplier effectiveUid;
  private final HostCommands cmd = new HostCommands(Duration.ofSeconds(15));
  private final SecureRandom random = new SecureRandom();

  /**
   * Creates a provider.
   *
   * @param bridge bridge name (up to 15 characters), or null for one derived from the range
   * @param cidr private IPv4 range of the machines, or null for {@link #DEFAULT_CIDR}
   * @param stateDir where machines keep their state, or null for {@link #DEFAULT_STATE_DIR}
   * @param authorizedKey OpenSSH public key authorized for root at first boot, or null
   * @param privateKey the matching private key, returned as the machines' first login, or null
   */
  public LocalMachineProvider(
      String bridge, String cidr, Path stateDir, String authorizedKey, String privateKey) {
    this(bridge, cidr, stateDir, authorizedKey, privateKey, LocalMachineProvider::readEuid);
  }

  LocalMachineProvider(
      String bridge,
      String cidr,
      Path stateDir,
      String authorizedKey,
      String privateKey,
      IntSupplier effectiveUid) {
    this.cidr = Cidr.parse(cidr == null ? DEFAULT_CIDR : cidr);
    this.bridge = bridge == null ? derivedBridge(this.cidr) : bridge;
    if (!BRIDGE.matcher(this.bridge).matches()) {
      throw new IllegalArgumentException(
          "bridge name must match " + BRIDGE.pattern() + ": " + this.bridge);
    }
    this.stateDir = (stateDir == null ? DEFAULT_STATE_DIR : stateDir).toAbsolutePath().normalize();
    if (this.stateDir.getNameCount() < 2) {
      throw new IllegalArgumentException("state directory too close to /: " + this.stateDir);
    }
    if (authorizedKey != null) {
      authorizedKey = authorizedKey.strip();
      if (!PUBLIC_KEY.matcher(authorizedKey).matches() || authorizedKey.contains("\n")) {
        throw new IllegalArgumentException("not a single OpenSSH public key line");
      }
    }
    this.authorizedKey = authorizedKey;
    this.privateKey = privateKey;
    this.effectiveUid = effectiveUid;
  }

  /** Bridge name for a range: distinct ranges get distinct bridges. */
  static String derivedBridge(Cidr cidr) {
    return "mob" + String.format("%08x%02d", cidr.network(), cidr.prefix());
  }

  public String bridge() {
    return bridge;
  }

  public String cidr() {
    return cidr.toString();
  }

  public Path stateDir() {
    return stateDir;
  }

  @Override
  public void ensureNetwork(NetworkRequest request) throws CloudException {
    requireRoot();
    if (request != null && request.cidr() != null && !request.cidr().equals(cidr.toString())) {
      throw new CloudException(
          "this local provider serves "
              + cidr
              + " but the cluster asks for "
              + request.cidr()
              + "; start the operator with that range or leave spec.cloud.network.cidr empty",
          false);
    }
    synchronized (monitor()) {
      try (StateLock ignored = lockState()) {
        ensureBridge();
      } catch (IOException e) {
        throw new CloudException("cannot lock " + stateDir + ": " + e.getMessage(), true, e);
      }
    }
  }

  @Override
  public void releaseNetwork(String clusterUid) throws CloudException {
    requireRoot();
    synchronized (monitor()) {
      try (StateLock ignored = lockState()) {
        deleteBridgeIfUnused();
      } catch (IOException e) {
        throw new CloudException("cannot lock " + stateDir + ": " + e.getMessage(), true, e);
      }
    }
  }

  @Override
  public List<Machine> list(String clusterUid) throws CloudException {
    requireRoot();
    List<Machine> machines = new ArrayList<>();
    for (Path dir : machineDirs()) {
      Optional<Properties> p = readProperties(dir);
      if (p.isEmpty() || !p.get().getProperty("clusterUid", "").equals(clusterUid)) {
        continue;
      }
      machines.add(toMachine(p.get(), stateOf(p.get()), null));
    }
    machines.sort(Comparator.comparing(Machine::node).thenComparing(Machine::id));
    return machines;
  }

  @Override
  public Machine create(MachineRequest request) throws CloudException {
    requireRoot();
    requireMatch(UID, request.clusterUid(), "cluster uid");
    requireMatch(HOSTNAME, request.node(), "node name (used as hostname)");
    requireMatch(ROLE, request.role(), "role name");
    requireTools();

    Properties p = new Properties();
    Path dir;
    synchronized (monitor()) {
      try (StateLock ignored = lockState()) {
        ensureBridge();
        String id = newId();
        List<String> used = new ArrayList<>();
        for (Path d : machineDirs()) {
          readProperties(d).map(q -> q.getProperty("address")).ifPresent(used::add);
        }
        String address =
            cidr.lowestFree(used)
                .orElseThrow(() -> new CloudException("no free address left in " + cidr, false));
        p.setProperty("id", id);
        p.setProperty("clusterUid", request.clusterUid());
        p.setProperty("node", request.node());
        p.setProperty("role", request.role());
        p.setProperty("address", address);
        p.setProperty("prefix", Integer.toString(cidr.prefix()));
        p.setProperty("bridge", bridge);
        p.setProperty("hostVeth", hostVeth(id));
        p.setProperty("phase", "creating");
        setCreator(p);
        dir = stateDir.resolve(id);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        writeProperties(dir, p);
      } catch (IOException e) {
        throw new CloudException("cannot write " + stateDir + ": " + e.getMessage(), true, e);
      }
    }
    String id = p.getProperty("id");
    try {
      boot(dir, p);
    } catch (CloudException | RuntimeException e) {
      LOG.warn("local machine {} ({}) failed to start; removing it", id, request.node());
      // An interrupted create (the operator stopping) must still clean up: with the flag set,
      // every host command of destroy would fail at once and leave a half-made machine that
      // lists as PENDING for good.
      boolean interrupted = Thread.interrupted();
      try {
        destroy(id);
      } catch (CloudException cleanup) {
        e.addSuppressed(cleanup);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      throw e;
    }
    LOG.info("local machine {} ({}) up at {}", id, request.node(), p.getProperty("address"));
    LoginCredentials login =
        privateKey == null ? null : new LoginCredentials("root", null, privateKey);
    return toMachine(p, Machine.State.RUNNING, login);
  }

  @Override
  public void destroy(String machineId) throws CloudException {
    requireRoot();
    requireMatch(MACHINE_ID, machineId, "machine id");
    synchronized (monitor()) {
      try (StateLock ignored = lockState()) {
        Path dir = stateDir.resolve(machineId);
        Optional<Properties> p = readProperties(dir);
        // The init's PID namespace dies with it; processes that only share the network
        // namespace (entered with nsenter) are killed by name of the namespace.
        p.flatMap(this::liveInit).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(h -> kill(h)));
        if (netnsExists(machineId)) {
          for (long pid : netnsPids(machineId)) {
            ProcessHandle.of(pid).ifPresent(this::kill);
          }
          cmd.run(List.of("ip", "netns", "delete", machineId));
        }
        // A namespace kept alive by lingering sockets keeps its veth: delete it by name.
        String veth = hostVeth(machineId);
        // The kernel also removes it when the namespace goes, concurrently with us: only a veth
        // that is still there after a failed delete is an error.
        if (linkExists(veth)
            && !cmd.run(List.of("ip", "link", "delete", veth)).ok()
            && linkExists(veth)) {
          throw new CloudException("cannot delete veth " + veth, true);
        }
        if (Files.exists(dir)) {
          if (Files.readString(Path.of("/proc/self/mounts")).contains(dir.toString())) {
            throw new CloudException("something is still mounted under " + dir, true);
          }
          deleteTree(dir);
        }
        deleteBridgeIfUnused();
      } catch (IOException e) {
        throw new CloudException("cannot remove " + machineId + ": " + e.getMessage(), true, e);
      }
    }
  }

  /**
   * Boots a machine again, as a power cycle would: whatever still runs in its namespaces is killed
   * (by PID, only processes in its network namespace), its network namespace and veth are made
   * anew, and its init starts from the same disk (the overlay layers): same id, address, host key
   * and files; empty {@code /run} and {@code /tmp}; only sshd running, as after create. Used after
   * a crash (all its processes gone) and by tests that reboot a node.
   */
  public void reboot(String machineId) throws CloudException {
    requireRoot();
    requireMatch(MACHINE_ID, machineId, "machine id");
    Path dir = stateDir.resolve(machineId);
    Properties p;
    synchronized (monitor()) {
      try (StateLock ignored = lockState()) {
        p =
            readProperties(dir)
                .orElseThrow(() -> new CloudException("no machine " + machineId, false));
        if (p.getProperty("mac") == null) {
          macOf(machineId).ifPresent(m -> p.setProperty("mac", m));
        }
        liveInit(p).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(this::kill));
        if (netnsExists(machineId)) {
          for (long pid : netnsPids(machineId)) {
            ProcessHandle.of(pid).ifPresent(this::kill);
          }
          cmd.run(List.of("ip", "netns", "delete", machineId));
        }
        String veth = hostVeth(machineId);
        if (linkExists(veth)
            && !cmd.run(List.of("ip", "link", "delete", veth)).ok()
            && linkExists(veth)) {
          throw new CloudException("cannot delete veth " + veth, true);
        }
        ensureBridge();
        p.setProperty("phase", "creating");
        setCreator(p);
        writeProperties(dir, p);
      } catch (IOException e) {
        throw new CloudException("cannot reboot " + machineId + ": " + e.getMessage(), true, e);
      }
    }
    boot(dir, p);
    LOG.info("local machine {} ({}) rebooted", machineId, p.getProperty("node"));
  }

  /**
   * The command line that runs {@code command} inside a running machine's namespaces (all of them:
   * network, mount, UTS, IPC, PID), with the machine's environment instead of the caller's. For
   * tests and diagnostics.
   */
  public List<String> nsenterCommand(String machineId, List<String> command) throws CloudException {
    requireRoot();
    requireMatch(MACHINE_ID, machineId, "machine id");
    long pid =
        readProperties(stateDir.resolve(machineId))
            .flatMap(this::liveInit)
            .orElseThrow(
                () -> new CloudException("machine " + machineId + " is not running", false));
    List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-a", "--"));
    // As a console login on the machine would: none of the caller's environment.
    argv.addAll(List.of("env", "-i"));
    MACHINE_ENV.forEach((k, v) -> argv.add(k + "=" + v));
    argv.addAll(command);
    return argv;
  }

  // ---- machine life ----

  private void boot(Path dir, Properties p) throws CloudException {
    String id = p.getProperty("id");
    String veth = p.getProperty("hostVeth");
    String peer = "lmp" + id.substring(3);
    String address = p.getProperty("address");
    try {
      if (authorizedKey != null) {
        Files.writeString(dir.resolve("authorized_keys"), authorizedKey + "\n");
      }
      try (InputStream in =
          LocalMachineProvider.class.getResourceAsStream("/local/" + INIT_SCRIPT)) {
        if (in == null) {
          throw new CloudException("resource /local/" + INIT_SCRIPT + " missing", false);
        }
        Files.copy(in, dir.resolve(INIT_SCRIPT), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new CloudException("cannot prepare " + dir + ": " + e.getMessage(), true, e);
    }
    cmd.check(List.of("ip", "netns", "add", id));
    cmd.check(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", peer));
    cmd.check(List.of("ip", "link", "set", peer, "netns", id));
    cmd.check(List.of("ip", "-n", id, "link", "set", peer, "name", "eth0"));
    cmd.check(List.of("ip", "-n", id, "addr", "add", address + "/" + cidr.prefix(), "dev", "eth0"));
    // A machine keeps its MAC address across boots, as a real NIC does: the neighbours' ARP
    // caches stay right and traffic resumes at once after a reboot.
    String mac = p.getProperty("mac");
    if (mac != null && MAC.matcher(mac).matches()) {
      cmd.check(List.of("ip", "-n", id, "link", "set", "eth0", "address", mac));
    } else {
      macOf(id).ifPresent(m -> p.setProperty("mac", m));
    }
    cmd.check(List.of("ip", "-n", id, "link", "set", "eth0", "up"));
    cmd.check(List.of("ip", "-n", id, "link", "set", "lo", "up"));
    cmd.check(List.of("ip", "link", "set", veth, "master", bridge));
    cmd.check(List.of("ip", "link", "set", veth, "up"));

    // setsid: the machine must outlive the operator and ignore its terminal's signals.
    ProcessBuilder pb =
        new ProcessBuilder(
                "setsid",
                "nsenter",
                "--net=/run/netns/" + id,
                "unshare",
                "--uts",
                "--ipc",
                "--pid",
                "--mount",
                "--fork",
                "--mount-proc",
                "--propagation",
                "private",
                "/bin/sh",
                dir.resolve(INIT_SCRIPT).toString(),
                dir.toString(),
                stateDir.toString(),
                p.getProperty("node"),
                address)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile()));
    // A machine inherits nothing of the operator's environment (HOME, PATH, JAVA_TOOL_OPTIONS):
    // its sshd and every daemon it starts see only what a fresh machine's init would set.
    pb.environment().clear();
    pb.environment().putAll(MACHINE_ENV);
    Process unshare;
    try {
      unshare = pb.start();
    } catch (IOException e) {
      throw new CloudException("cannot start machine " + id + ": " + e.getMessage(), false, e);
    }
    long initPid = awaitChild(unshare.pid(), dir);
    p.setProperty("unsharePid", Long.toString(unshare.pid()));
    p.setProperty("initPid", Long.toString(initPid));
    writePropertiesUnchecked(dir, p);
    awaitSsh(address, dir, unshare);
    try {
      // Next boots keep the host key and authorized keys the first one made.
      Files.writeString(dir.resolve("booted"), "");
    } catch (IOException e) {
      throw new CloudException("cannot write " + dir + ": " + e.getMessage(), true, e);
    }
    p.setProperty("phase", "created");
    writePropertiesUnchecked(dir, p);
  }

  /** The host PID of the machine's PID 1: the only child of unshare --fork. */
  private long awaitChild(long unsharePid, Path dir) throws CloudException {
    Path children =
        Path.of("/proc", Long.toString(unsharePid), "task", Long.toString(unsharePid), "children");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        String s = Files.readString(children).trim();
        if (!s.isEmpty()) {
          return Long.parseLong(s.split("\\s+")[0]);
        }
      } catch (IOException e) {
        throw new CloudException("machine init exited at once: " + consoleTail(dir), false, e);
      }
      sleep(20);
    }
    throw new CloudException("machine init did not start: " + consoleTail(dir), true);
  }

  private void awaitSsh(String address, Path dir, Process unshare) throws CloudException {
    long deadline = System.nanoTime() + SSH_READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!unshare.isAlive()) {
        throw new CloudException("machine init failed: " + consoleTail(dir), false);
      }
      if (sshBanner(address)) {
        return;
      }
      sleep(50);
    }
    throw new CloudException(
        "sshd on "
            + address
            + " did not answer within "
            + SSH_READY_TIMEOUT.toSeconds()
            + " s: "
            + consoleTail(dir),
        true);
  }

  private static boolean sshBanner(String address) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, 22), 500);
      s.setSoTimeout(2000);
      byte[] head = s.getInputStream().readNBytes(4);
      return new String(head, StandardCharsets.US_ASCII).equals("SSH-");
    } catch (IOException e) {
      return false;
    }
  }

  /** Records which process is creating (or rebooting) the machine: its PID and start time. */
  private static void setCreator(Properties p) {
    ProcessHandle self = ProcessHandle.current();
    p.setProperty("creatorPid", Long.toString(self.pid()));
    p.setProperty("creatorStart", startOf(self));
  }

  private static String startOf(ProcessHandle h) {
    return h.info().startInstant().map(Object::toString).orElse("");
  }

  /**
   * Whether the process that started creating the machine still runs (same PID, same start time).
   * Machines made before creators were recorded count as still being created.
   */
  private static boolean creatorAlive(Properties p) {
    String pid = p.getProperty("creatorPid");
    if (pid == null || !pid.matches("\\d{1,10}")) {
      return true;
    }
    return ProcessHandle.of(Long.parseLong(pid))
        .filter(ProcessHandle::isAlive)
        .filter(h -> startOf(h).equals(p.getProperty("creatorStart", "")))
        .isPresent();
  }

  private Machine.State stateOf(Properties p) {
    String id = p.getProperty("id", "");
    boolean alive = liveInit(p).isPresent();
    if ("creating".equals(p.getProperty("phase"))) {
      // Its creator died (operator killed, host lost power mid-create): nobody will finish it,
      // so it is broken, not pending, and can be destroyed and made again.
      if (!creatorAlive(p)) {
        return Machine.State.ERROR;
      }
      return alive || !p.containsKey("initPid") ? Machine.State.PENDING : Machine.State.ERROR;
    }
    if (alive) {
      return Machine.State.RUNNING;
    }
    // Init gone: after a host reboot nothing is left (STOPPED); a half-present machine is broken.
    return netnsExists(id) ? Machine.State.ERROR : Machine.State.STOPPED;
  }

  /** The recorded init PID, if that process is alive and still in the machine's namespace. */
  private Optional<Long> liveInit(Properties p) {
    String id = p.getProperty("id", "");
    String pid = p.getProperty("initPid");
    if (pid == null || !pid.matches("\\d{1,10}") || !MACHINE_ID.matcher(id).matches()) {
      return Optional.empty();
    }
    try {
      // A reused PID would sit in another network namespace: compare namespace inodes.
      String link = Files.readSymbolicLink(Path.of("/proc", pid, "ns", "net")).toString();
      Object inode = Files.getAttribute(Path.of("/run/netns", id), "unix:ino");
      return link.equals("net:[" + inode + "]")
          ? Optional.of(Long.parseLong(pid))
          : Optional.empty();
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /** SIGKILL, then wait (bounded) until the process is gone or only a zombie. */
  private void kill(ProcessHandle h) {
    h.destroyForcibly();
    Path stat = Path.of("/proc", Long.toString(h.pid()), "stat");
    long deadline = System.nanoTime() + KILL_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        String s = Files.readString(stat);
        if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
          return;
        }
      } catch (IOException | RuntimeException e) {
        return; // gone
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.warn("process {} did not exit within {} s", h.pid(), KILL_TIMEOUT.toSeconds());
  }

  // ---- network ----

  private void ensureBridge() throws CloudException {
    String gatewayCidr = cidr.gateway() + "/" + cidr.prefix();
    // Refuse a range some other interface already uses: two routes for it would break both.
    for (String line : cmd.check(List.of("ip", "-o", "-4", "addr", "show")).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && !f[1].equals(bridge) && f[2].equals("inet")) {
        String addr = f[3].split("/")[0];
        if (cidr.contains(addr)) {
          throw new CloudException(
              cidr
                  + " is already used by interface "
                  + f[1]
                  + " on this host; choose another range",
              false);
        }
      }
    }
    if (!linkExists(bridge)) {
      cmd.check(List.of("ip", "link", "add", bridge, "type", "bridge"));
    } else if (!cmd.check(List.of("ip", "-d", "link", "show", "dev", bridge)).contains("bridge ")) {
      throw new CloudException(bridge + " exists and is not a bridge", false);
    }
    String addrs = cmd.check(List.of("ip", "-o", "-4", "addr", "show", "dev", bridge));
    if (!addrs.contains(" " + gatewayCidr + " ")) {
      cmd.check(List.of("ip", "addr", "add", gatewayCidr, "dev", bridge));
    }
    cmd.check(List.of("ip", "link", "set", bridge, "up"));
  }

  private void deleteBridgeIfUnused() throws CloudException {
    if (machineDirs().isEmpty() && linkExists(bridge)) {
      cmd.check(List.of("ip", "link", "delete", bridge));
      LOG.info("deleted bridge {}: no local machines left", bridge);
    }
  }

  /** The MAC address of a machine's eth0, if its namespace and link exist. */
  private Optional<String> macOf(String id) throws CloudException {
    if (!netnsExists(id)) {
      return Optional.empty();
    }
    HostCommands.Result r = cmd.run(List.of("ip", "-n", id, "-o", "link", "show", "dev", "eth0"));
    java.util.regex.Matcher m = Pattern.compile("link/ether (\\S+)").matcher(r.output());
    return r.ok() && m.find() && MAC.matcher(m.group(1)).matches()
        ? Optional.of(m.group(1))
        : Optional.empty();
  }

  private boolean linkExists(String name) throws CloudException {
    return cmd.run(List.of("ip", "link", "show", "dev", name)).ok();
  }

  private boolean netnsExists(String id) {
    return Files.exists(Path.of("/run/netns", id));
  }

  private List<Long> netnsPids(String id) throws CloudException {
    List<Long> pids = new ArrayList<>();
    HostCommands.Result r = cmd.run(List.of("ip", "netns", "pids", id));
    for (String s : r.output().split("\\s+")) {
      if (s.matches("\\d{1,10}")) {
        pids.add(Long.parseLong(s));
      }
    }
    return pids;
  }

  /** The host side of a machine's veth (on the bridge): tests cut a node's network with it. */
  public static String hostVeth(String id) {
    return "lmh" + id.substring(3);
  }

  // ---- state on disk ----

  private String newId() {
    for (int i = 0; i < 100; i++) {
      byte[] b = new byte[4];
      random.nextBytes(b);
      String id = "lm-" + HexFormat.of().formatHex(b);
      if (!Files.exists(stateDir.resolve(id)) && !netnsExists(id)) {
        return id;
      }
    }
    throw new IllegalStateException("no free machine id after 100 tries");
  }

  private List<Path> machineDirs() throws CloudException {
    List<Path> dirs = new ArrayList<>();
    if (!Files.isDirectory(stateDir)) {
      return dirs;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(stateDir, "lm-*")) {
      for (Path d : ds) {
        if (MACHINE_ID.matcher(d.getFileName().toString()).matches() && Files.isDirectory(d)) {
          dirs.add(d);
        }
      }
    } catch (IOException e) {
      throw new CloudException("cannot read " + stateDir + ": " + e.getMessage(), true, e);
    }
    dirs.sort(Comparator.naturalOrder());
    return dirs;
  }

  private static Optional<Properties> readProperties(Path dir) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve(PROPERTIES))) {
      p.load(r);
      return Optional.of(p);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn("unreadable {}: {}", dir.resolve(PROPERTIES), e.getMessage());
      return Optional.empty();
    }
  }

  private static void writeProperties(Path dir, Properties p) throws IOException {
    Path tmp = dir.resolve(PROPERTIES + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      p.store(w, "mesos-operator local machine");
    }
    Files.move(tmp, dir.resolve(PROPERTIES), StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writePropertiesUnchecked(Path dir, Properties p) throws CloudException {
    try {
      writeProperties(dir, p);
    } catch (IOException e) {
      throw new CloudException("cannot write " + dir + ": " + e.getMessage(), true, e);
    }
  }

  private Object monitor() {
    return MONITORS.computeIfAbsent(stateDir, k -> new Object());
  }

  private StateLock lockState() throws IOException {
    Files.createDirectories(stateDir);
    FileChannel ch =
        FileChannel.open(
            stateDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      return new StateLock(ch, ch.lock());
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Cross-process lock on the state directory; closing releases it. */
  private record StateLock(FileChannel channel, FileLock lock) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        lock.release();
      } finally {
        channel.close();
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    // walkFileTree does not follow links, so nothing outside root is touched.
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            if (exc != null) {
              throw exc;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static String consoleTail(Path dir) {
    try {
      String s = Files.readString(dir.resolve("console.log"));
      return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    } catch (IOException e) {
      return "(no console output)";
    }
  }

  private Machine toMachine(Properties p, Machine.State state, LoginCredentials login) {
    return new Machine(
        p.getProperty("id"),
        p.getProperty("clusterUid"),
        p.getProperty("node"),
        p.getProperty("role"),
        state,
        p.getProperty("address"),
        null,
        null,
        login);
  }

  // ---- preconditions ----

  private void requireRoot() throws CloudException {
    if (effectiveUid.getAsInt() != 0) {
      throw new CloudException(NEEDS_ROOT, false);
    }
  }

  private static void requireTools() throws CloudException {
    for (String tool :
        List.of("/usr/bin/setsid", "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/sbin/sshd")) {
      if (!Files.isExecutable(Path.of(tool))) {
        throw new CloudException(
            "the local provider needs "
                + tool
                + " (packages util-linux, openssh-server); see .ci/install-packages.sh",
            false);
      }
    }
  }

  private static void requireMatch(Pattern pattern, String value, String what)
      throws CloudException {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new CloudException(what + " must match " + pattern.pattern() + ": " + value, false);
    }
  }

  /** Effective uid from /proc/self/status; -1 when unknown (treated as not root). */
  static int readEuid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.split("\\s+")[2]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static void sleep(long millis) throws CloudException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException("interrupted", true, e);
    }
  }
}
