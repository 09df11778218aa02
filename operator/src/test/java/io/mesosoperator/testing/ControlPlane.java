package io.mesosoperator.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubeapitest.cert.CertManager;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane for the end-to-end tier: etcd, kube-apiserver and
 * kube-controller-manager (garbage collector, namespace and clusterrole-aggregation controllers),
 * all on 127.0.0.1, built by {@code hack/build-control-plane.sh} at the versions pinned in {@code
 * hack/control-plane.env}. One per test JVM ({@link #shared()}); tests keep apart by namespace.
 *
 * <p>The binaries' layout and the certificates are fabric8 kube-api-test's ({@link CertManager}: an
 * apiserver certificate and a {@code system:masters} client certificate under {@code
 * $KUBE_API_TEST_DIR}). The processes are this class's own: kube-api-test stops the whole control
 * plane when one process dies and starts again on new ports, while the fault tests kill the
 * apiserver or etcd by PID and start it again on the same port with the same data.
 *
 * <p>Every write is recorded by the apiserver's audit log, so tests count the writes a client made
 * as the server saw them ({@link #takeWrites(String)}).
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_LIMIT = Duration.ofSeconds(120);
  private static ControlPlane shared;

  /** The project's API group and version. */
  public static final String GROUP = "mesosoperator.io";

  public static final String VERSION = "v1alpha1";

  private final String kubernetesVersion;
  private final Path binaries;
  private final Path dir;
  private final CertManager certs;
  private final int etcdPort;
  private final int etcdPeerPort;
  private final int apiPort;
  private final int kcmPort;
  private final Path adminKubeconfig;
  private final Path auditLog;
  private final KubernetesClient admin;
  private Process etcd;
  private Process apiServer;
  private Process controllerManager;
  private long auditOffset;
  private final Duration startedIn;

  private ControlPlane(Path projectRoot) throws IOException {
    long t0 = System.nanoTime();
    Properties versions = versions(projectRoot);
    kubernetesVersion = versions.getProperty("KUBERNETES_VERSION");
    String testDir = testDir();
    binaries = binaries(testDir, kubernetesVersion);
    dir = Files.createTempDirectory("mesos-operator-control-plane-");
    certs = new CertManager(testDir);
    certs.createCertificatesIfNeeded();
    etcdPort = freePort();
    etcdPeerPort = freePort();
    apiPort = freePort();
    kcmPort = freePort();
    auditLog = dir.resolve("audit.log");
    Files.writeString(
        dir.resolve("audit-policy.yaml"),
        """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: ["RequestReceived"]
        rules:
        - level: Metadata
          verbs: ["create", "update", "patch", "delete", "deletecollection"]
        - level: None
        """);
    adminKubeconfig = writeKubeconfig(dir.resolve("admin.kubeconfig"), "default", null);
    writeKubeconfig(dir.resolve("kcm.kubeconfig"), "default", "system:kube-controller-manager");
    KubernetesClient started = null;
    try {
      startEtcd();
      startApiServer();
      started =
          new KubernetesClientBuilder()
              .withConfig(Config.fromKubeconfig(read(adminKubeconfig)))
              .build();
      startControllerManager();
    } catch (IOException | RuntimeException e) {
      // No shutdown hook exists yet: end what did start, so no etcd outlives a failed start.
      if (started != null) {
        started.close();
      }
      stopProcesses();
      throw e;
    }
    admin = started;
    startedIn = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info(
        "control plane v{} up on https://127.0.0.1:{} in {} ms (etcd 127.0.0.1:{})",
        kubernetesVersion,
        apiPort,
        startedIn.toMillis(),
        etcdPort);
  }

  /**
   * The control plane of this JVM, started on first use and stopped when the JVM exits. Skips the
   * calling test when the binaries are missing, or fails it when {@code CI=true}.
   */
  public static synchronized ControlPlane shared() {
    if (shared == null) {
      Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
      require(root);
      try {
        shared = new ControlPlane(root);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ControlPlane cp = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(cp::close, "control-plane-stop"));
    }
    return shared;
  }

  /**
   * A control plane of the caller's own (not the JVM's shared one, no shutdown hook): the caller
   * closes it, after whatever must still talk to it.
   */
  public static ControlPlane start(Path projectRoot) throws IOException {
    return new ControlPlane(projectRoot.toAbsolutePath().normalize());
  }

  /** Skips (locally) or fails (CI) when the binaries are not built. */
  public static void require(Path projectRoot) {
    List<String> missing = missingBinaries(projectRoot);
    if (missing.isEmpty()) {
      return;
    }
    String message =
        "the control-plane tier needs " + missing + " (run hack/build-control-plane.sh)";
    if ("true".equals(System.getenv("CI"))) {
      fail(message + "; CI=true, so this is a failure, not a skip");
    }
    Assumptions.assumeTrue(false, message);
  }

  /** The control-plane binaries not built yet (empty when all are there). */
  public static List<String> missingBinaries(Path projectRoot) {
    Path bin = binaries(testDir(), versions(projectRoot).getProperty("KUBERNETES_VERSION"));
    List<String> missing = new ArrayList<>();
    for (String b : List.of("etcd", "kube-apiserver", "kube-controller-manager", "kubectl")) {
      if (!Files.isExecutable(bin.resolve(b))) {
        missing.add(bin.resolve(b).toString());
      }
    }
    return missing;
  }

  /** kube-api-test's directory: {@code $KUBE_API_TEST_DIR}, else {@code ~/.kubeapitest}. */
  private static String testDir() {
    return System.getenv()
        .getOrDefault(
            "KUBE_API_TEST_DIR",
            Path.of(System.getProperty("user.home"), ".kubeapitest").toString());
  }

  /** Where hack/build-control-plane.sh puts the binaries (kube-api-test's layout). */
  private static Path binaries(String testDir, String kubernetesVersion) {
    return Path.of(testDir, "k8s", kubernetesVersion + "-linux-amd64");
  }

  private static Properties versions(Path projectRoot) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(projectRoot.resolve("hack/control-plane.env"))) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** The cluster-admin client (the {@code system:masters} certificate). */
  public KubernetesClient client() {
    return admin;
  }

  /**
   * A new client acting as {@code user} (impersonated by the admin certificate), with the groups
   * given; for a service account pass {@code system:serviceaccount:NS:NAME} and no groups (the
   * apiserver adds the service-account groups itself). The caller closes it.
   */
  public KubernetesClient clientAs(String user, String... groups) {
    Config config = Config.fromKubeconfig(read(adminKubeconfig));
    config.setImpersonateUsername(user);
    config.setImpersonateGroups(groups);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  public String url() {
    return "https://127.0.0.1:" + apiPort;
  }

  public String kubernetesVersion() {
    return kubernetesVersion;
  }

  /** How long the start took (etcd, apiserver ready, controller manager started). */
  public Duration startedIn() {
    return startedIn;
  }

  /** The kubectl built with the apiserver. */
  public Path kubectl() {
    return binaries.resolve("kubectl");
  }

  /** The admin kubeconfig of this control plane. */
  public Path adminKubeconfig() {
    return adminKubeconfig;
  }

  /**
   * Writes a kubeconfig (mode 0600) for the admin certificate with the given default namespace;
   * with {@code as} set, every request impersonates that user (in the {@code system:masters}
   * group). Only Go clients (kubectl, kube-controller-manager) honour {@code as}: fabric8 7.5.2
   * ignores it and acts as the admin certificate, so for the operator's jar use {@link
   * #writeServiceAccountKubeconfig}.
   */
  public Path writeKubeconfig(Path file, String namespace, String as) throws IOException {
    return writeKubeconfigFor(
        file,
        namespace,
        """
            client-certificate: %s
            client-key: %s
        %s"""
            .formatted(
                certs.getClientCertPath(),
                certs.getClientKeyPath(),
                as == null ? "" : "    as: " + as + "\n    as-groups: [\"system:masters\"]\n"));
  }

  /**
   * Writes a kubeconfig (mode 0600) that authenticates as the ServiceAccount {@code namespace/name}
   * with a token from the TokenRequest API (one hour), its default namespace {@code namespace}:
   * what a pod of that ServiceAccount gets, so every client, fabric8 included, acts with its rights
   * only. Creates the ServiceAccount when it does not exist.
   */
  public Path writeServiceAccountKubeconfig(Path file, String namespace, String name)
      throws IOException {
    if (admin.serviceAccounts().inNamespace(namespace).withName(name).get() == null) {
      admin
          .serviceAccounts()
          .inNamespace(namespace)
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .endMetadata()
                  .build())
          .create();
    }
    TokenRequest granted =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(name)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build());
    return writeKubeconfigFor(
        file, namespace, "    token: " + granted.getStatus().getToken() + "\n");
  }

  private Path writeKubeconfigFor(Path file, String namespace, String user) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    String text =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mesos-operator-test
          cluster:
            server: %s
            certificate-authority: %s
        contexts:
        - name: mesos-operator-test
          context:
            cluster: mesos-operator-test
            user: user
            namespace: %s
        current-context: mesos-operator-test
        users:
        - name: user
          user:
        %s"""
            .formatted(
                "https://127.0.0.1:" + apiPort, certs.getAPIServerCertPath(), namespace, user);
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /**
   * Applies the project's CRDs (from {@code crds/}), waits until the apiserver serves them
   * (Established) and creates the namespaces. A CRD the apiserver refuses fails here.
   */
  public void installCrds(Path projectRoot, String... namespaces) throws IOException {
    for (String f :
        List.of("mesosclusters.mesosoperator.io.yaml", "mesosnodes.mesosoperator.io.yaml")) {
      installCrd(projectRoot, f);
    }
    for (String ns : namespaces) {
      ensureNamespace(ns);
    }
  }

  /**
   * Applies one CRD file of {@code crds/} and waits until it is Established. Established is the
   * CRD's condition; the group's discovery document may list the resource a moment later.
   */
  public void installCrd(Path projectRoot, String file) throws IOException {
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(projectRoot.resolve("crds").resolve(file))) {
      crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
    }
    crd.getMetadata().setResourceVersion(null);
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(crd)
        .forceConflicts()
        .fieldManager("mesos-operator-tests")
        .serverSideApply();
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(ControlPlane::established, 60, TimeUnit.SECONDS);
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        // the status exists before its conditions do: right after the create it is empty
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Creates a namespace unless it exists (waiting out one still terminating). */
  public void ensureNamespace(String ns) {
    waitFor(
        "namespace " + ns + " not terminating",
        Duration.ofSeconds(120),
        () -> {
          var existing = admin.namespaces().withName(ns).get();
          return existing == null || existing.getMetadata().getDeletionTimestamp() == null;
        });
    if (admin.namespaces().withName(ns).get() == null) {
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
  }

  /**
   * The writes (create, update, patch, delete) the apiserver completed since the last call, made by
   * {@code user} (the effective user: the impersonated one if any), each as {@code "verb
   * resource[/subresource] namespace/name"}. Null user: everybody's.
   */
  public synchronized List<String> takeWrites(String user) throws IOException {
    List<String> writes = new ArrayList<>();
    if (!Files.exists(auditLog)) {
      return writes;
    }
    byte[] all = Files.readAllBytes(auditLog);
    int end = all.length;
    while (end > auditOffset && all[end - 1] != '\n') {
      end--; // a line still being written belongs to the next call
    }
    String text = new String(all, (int) auditOffset, (int) (end - auditOffset));
    auditOffset = end;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode e = JSON.readTree(line);
      JsonNode impersonated = e.path("impersonatedUser").path("username");
      String who =
          impersonated.isMissingNode()
              ? e.path("user").path("username").asText()
              : impersonated.asText();
      if (user != null && !user.equals(who)) {
        continue;
      }
      JsonNode ref = e.path("objectRef");
      String resource = ref.path("resource").asText();
      if (ref.has("subresource")) {
        resource += "/" + ref.path("subresource").asText();
      }
      writes.add(
          e.path("verb").asText()
              + " "
              + resource
              + " "
              + ref.path("namespace").asText("")
              + "/"
              + ref.path("name").asText(""));
    }
    return writes;
  }

  // --- processes --------------------------------------------------------------------------

  /** Starts etcd (again) on its port with its data directory. */
  public synchronized void startEtcd() throws IOException {
    String client = "http://127.0.0.1:" + etcdPort;
    String peer = "http://127.0.0.1:" + etcdPeerPort;
    etcd =
        start(
            "etcd",
            List.of(
                binaries.resolve("etcd-server").toString(),
                "--name=default",
                "--data-dir=" + dir.resolve("etcd"),
                "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=default=" + peer,
                "--listen-metrics-urls=",
                "--unsafe-no-fsync=true",
                "--log-level=warn"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    waitFor(
        "etcd healthy on " + client,
        START_LIMIT,
        () -> {
          try {
            HttpResponse<String> r =
                http.send(
                    HttpRequest.newBuilder(URI.create(client + "/health"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"true\"");
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        },
        etcd);
  }

  /** Starts kube-apiserver (again) on its port, waiting until {@code /readyz} answers ok. */
  public synchronized void startApiServer() throws IOException {
    apiServer =
        start(
            "kube-apiserver",
            List.of(
                binaries.resolve("kube-apiserver").toString(),
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                // 1.37 refuses a loopback address for the "kubernetes" Service's endpoints;
                // nothing here routes to it.
                "--endpoint-reconciler-type=none",
                "--secure-port=" + apiPort,
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--cert-dir=" + dir.resolve("apiserver-certs"),
                "--tls-cert-file=" + certs.getAPIServerCertPath(),
                "--tls-private-key-file=" + certs.getAPIServerKeyPath(),
                "--client-ca-file=" + certs.getClientCertPath(),
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://127.0.0.1:" + apiPort,
                "--service-account-signing-key-file=" + certs.getAPIServerKeyPath(),
                "--service-account-key-file=" + certs.getAPIServerKeyPath(),
                "--disable-admission-plugins=ServiceAccount",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--audit-policy-file=" + dir.resolve("audit-policy.yaml"),
                "--audit-log-path=" + auditLog,
                "--audit-log-mode=blocking",
                "--audit-log-maxbackup=0",
                "--audit-log-maxsize=0"));
    Config config = Config.fromKubeconfig(read(adminKubeconfig));
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(config).build()) {
      waitFor(
          "kube-apiserver ready on " + url(),
          START_LIMIT,
          () -> {
            try {
              return "ok".equals(probe.raw("/readyz"));
            } catch (RuntimeException e) {
              return false;
            }
          },
          apiServer);
    }
  }

  private void startControllerManager() throws IOException {
    controllerManager =
        start(
            "kube-controller-manager",
            List.of(
                binaries.resolve("kube-controller-manager").toString(),
                "--kubeconfig=" + dir.resolve("kcm.kubeconfig"),
                "--controllers=garbagecollector,namespace,clusterrole-aggregation",
                "--leader-elect=false",
                "--use-service-account-credentials=false",
                "--bind-address=127.0.0.1",
                "--secure-port=" + kcmPort));
  }

  /** Kills kube-apiserver by its PID (SIGKILL) and waits until it is gone. */
  public synchronized long killApiServer() throws InterruptedException {
    return kill(apiServer);
  }

  /** Kills etcd by its PID (SIGKILL) and waits until it is gone. */
  public synchronized long killEtcd() throws InterruptedException {
    return kill(etcd);
  }

  private static long kill(Process p) throws InterruptedException {
    long pid = p.pid();
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("process " + pid + " did not end within 30 s of SIGKILL");
    }
    return pid;
  }

  private Process start(String name, List<String> command) throws IOException {
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    LOG.info("started {} (pid {}), log {}", name, p.pid(), log);
    return p;
  }

  private void waitFor(String what, Duration limit, BooleanSupplier done, Process process) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            what
                + ": the process exited with "
                + process.exitValue()
                + "; its log ends:\n"
                + tail(process));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            what + ": not within " + limit + "; its log ends:\n" + tail(process));
      }
      sleep(200);
    }
  }

  /** The last lines of a process's log, for a failure message (the directory goes at exit). */
  private String tail(Process process) {
    String name =
        process == etcd
            ? "etcd"
            : process == apiServer ? "kube-apiserver" : "kube-controller-manager";
    try {
      List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private void waitFor(String what, Duration limit, BooleanSupplier done) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": not within " + limit);
      }
      sleep(200);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops every process this control plane started (by PID) and removes its data. */
  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close();
    }
    stopProcesses();
    if (!"true".equals(System.getProperty("controlPlane.keep"))) {
      deleteTree(dir);
    }
  }

  private void stopProcesses() {
    for (Process p : new Process[] {controllerManager, apiServer, etcd}) {
      if (p != null && p.isAlive()) {
        p.destroy();
        try {
          if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(15, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", root, e.getMessage());
    }
  }
}
