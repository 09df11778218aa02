package io.mesosoperator.e2e;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.reconcile.ClusterKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;

/**
 * Issue 5's demo (test scope, as root): an in-process Kubernetes API (the fabric8 mock server with
 * discovery, so real kubectl works against it), the operator with its production wiring and the
 * local provider, the TEST STAND-INS for Mesos and Marathon installed into each new machine, and
 * {@code examples/local.yaml} applied. Ctrl-C deletes the cluster, waits until its nodes and
 * machines are gone, and stops everything.
 *
 * <p>Options: {@code -f FILE} (default examples/local.yaml), {@code --port N} (16443), {@code --dir
 * DIR} (/tmp/mesos-operator-demo: kubeconfig, admin key, machine state).
 */
public final class Demo {
  private static final Duration TEARDOWN = Duration.ofMinutes(3);

  private Demo() {}

  public static void main(String[] args) throws Exception {
    Path root = projectRoot();
    Path file = root.resolve("examples/local.yaml");
    int port = 16443;
    Path dir = Path.of("/tmp/mesos-operator-demo");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-f", "--file" -> file = Path.of(args[++i]);
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        default -> {
          System.err.println("usage: Demo [-f FILE] [--port N] [--dir DIR]");
          System.exit(2);
        }
      }
    }
    List<String> missing = LocalCluster.missingPrerequisites();
    if (!missing.isEmpty()) {
      System.err.println(
          "demo needs " + missing + " (run as root after .ci/install-packages.sh, or ./demo.sh)");
      System.exit(2);
    }
    // The mock server logs every request through java.util.logging: keep the terminal readable.
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
    Files.createDirectories(dir);

    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    done.await(TEARDOWN.plusSeconds(60).toSeconds(), TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "demo-shutdown"));

    // A JVM started in the background by a non-interactive shell inherits SIGINT as ignored and
    // would never see Ctrl-C or kill -INT: handle it explicitly (exit runs the hook above).
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> System.exit(130));
    ApiServer api = ApiServer.start(port);
    LocalCluster operator = null;
    Map<String, String> uids = new LinkedHashMap<>(); // uid -> cidr
    try {
      KubernetesClient client = api.client();
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "default");
      api.installCrds(root, "default");
      operator = new LocalCluster(client, dir.resolve("state"), Duration.ofSeconds(10));
      MesosCluster cluster;
      try (InputStream in = Files.newInputStream(file)) {
        cluster = client.resources(MesosCluster.class).load(in).item();
      }
      String ns =
          cluster.getMetadata().getNamespace() == null
              ? "default"
              : cluster.getMetadata().getNamespace();
      api.ensureNamespace(ns);
      cluster.getMetadata().setNamespace(ns);
      cluster = client.resource(cluster).create();
      String name = cluster.getMetadata().getName();
      uids.put(cluster.getMetadata().getUid(), cluster.getSpec().getCloud().getNetwork().getCidr());
      String kc = "kubectl --kubeconfig " + kubeconfig;
      System.out.printf(
          "%nKubernetes API (in-process mock, plain HTTP): %s%n"
              + "kubeconfig: %s%n"
              + "  %s get mesosclusters,mesosnodes%n"
              + "  %s describe mesoscluster %s%n"
              + "applied %s: MesosCluster %s/%s; waiting for Ready (Ctrl-C stops and cleans up)%n%n",
          api.url(), kubeconfig, kc, kc, name, file, ns, name);

      String last = "";
      boolean announced = false;
      while (!stop.await(1, TimeUnit.SECONDS)) {
        MesosCluster c = client.resources(MesosCluster.class).inNamespace(ns).withName(name).get();
        if (c == null || c.getStatus() == null) {
          continue;
        }
        String now = summary(c.getStatus().getConditions());
        if (!now.equals(last)) {
          System.out.println("[" + java.time.LocalTime.now().withNano(0) + "] " + now);
          last = now;
        }
        if (!announced && isTrue(c.getStatus().getConditions(), "Ready")) {
          announce(client, c, dir, kc);
          announced = true;
        }
      }
      System.out.println("\nstopping: deleting the cluster and its machines...");
      for (MesosCluster c :
          client.resources(MesosCluster.class).inAnyNamespace().list().getItems()) {
        client.resource(c).delete();
      }
      long deadline = System.nanoTime() + TEARDOWN.toNanos();
      while (System.nanoTime() < deadline) {
        boolean nodesGone =
            client.resources(MesosNode.class).inAnyNamespace().list().getItems().isEmpty()
                && client
                    .resources(MesosCluster.class)
                    .inAnyNamespace()
                    .list()
                    .getItems()
                    .isEmpty();
        boolean machinesGone = true;
        for (String uid : uids.keySet()) {
          if (operator.local(uid) != null && !operator.local(uid).list(uid).isEmpty()) {
            machinesGone = false;
          }
        }
        if (nodesGone && machinesGone) {
          System.out.println("cluster, nodes and machines gone");
          break;
        }
        Thread.sleep(500);
      }
    } finally {
      if (operator != null) {
        operator.close();
        for (Map.Entry<String, String> e : uids.entrySet()) {
          List<String> left =
              LocalCluster.destroyLeftovers(operator.stateDir(), e.getValue(), e.getKey());
          if (!left.isEmpty()) {
            System.out.println("destroyed leftover machines " + left);
          }
        }
      }
      api.close();
      try (var keys = Files.list(dir)) {
        for (Path p :
            keys.filter(p -> p.getFileName().toString().endsWith("-admin-key")).toList()) {
          Files.deleteIfExists(p);
        }
      }
      System.out.println("operator and API server stopped");
      done.countDown();
    }
  }

  private static void announce(KubernetesClient client, MesosCluster c, Path dir, String kc)
      throws IOException {
    ClusterKeys.Key key = new ClusterKeys(client).read(c);
    Path keyFile = dir.resolve(c.getMetadata().getName() + "-admin-key");
    Files.deleteIfExists(keyFile);
    Files.createFile(
        keyFile,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        keyFile, key.privateKey().endsWith("\n") ? key.privateKey() : key.privateKey() + "\n");
    String user = c.getSpec().getSsh().getUser();
    List<MesosNode> nodes =
        new ArrayList<>(
            client
                .resources(MesosNode.class)
                .inNamespace(c.getMetadata().getNamespace())
                .list()
                .getItems());
    nodes.sort(Comparator.comparing(n -> n.getMetadata().getName()));
    StringBuilder b =
        new StringBuilder("\n=== MesosCluster " + c.getMetadata().getName() + " is Ready ===\n");
    b.append("Mesos leader:    http://").append(c.getStatus().getMesosLeader()).append('\n');
    b.append("Marathon leader: http://").append(c.getStatus().getMarathonLeader()).append('\n');
    b.append("ZooKeeper:       ").append(c.getStatus().getZookeeperUrl()).append('\n');
    b.append("  curl http://").append(c.getStatus().getMesosLeader()).append("/metrics/snapshot\n");
    b.append("  curl http://").append(c.getStatus().getMarathonLeader()).append("/v2/apps\n");
    b.append("Nodes (admin key written to ").append(keyFile).append(", mode 0600):\n");
    for (MesosNode n : nodes) {
      b.append(
          String.format(
              "  %-16s %-7s ssh -i %s -o UserKnownHostsFile=%s -o StrictHostKeyChecking=accept-new %s@%s%n",
              n.getMetadata().getName(),
              n.getSpec().getRoleType().value(),
              keyFile,
              dir.resolve("known_hosts"),
              user,
              n.getStatus() == null ? "?" : n.getStatus().getPrivateAddress()));
    }
    b.append("kubectl:\n  ").append(kc).append(" get mesosclusters,mesosnodes\n");
    b.append(
        "Mesos and Marathon on these nodes are TEST STAND-INS (no binaries exist for Debian).\n");
    b.append("Ctrl-C deletes the cluster, waits for its machines to go, and exits.\n");
    System.out.println(b);
  }

  private static String summary(List<Condition> conditions) {
    return conditions.stream()
        .filter(c -> !"ReconciliationPaused".equals(c.getType()))
        .map(c -> c.getType() + "=" + c.getStatus())
        .collect(Collectors.joining(" "));
  }

  private static boolean isTrue(List<Condition> conditions, String type) {
    return conditions.stream()
        .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static Path projectRoot() {
    String p = System.getProperty("project.root");
    if (p != null) {
      return Path.of(p).toAbsolutePath().normalize();
    }
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("crds")) ? here : here.getParent();
  }
}
