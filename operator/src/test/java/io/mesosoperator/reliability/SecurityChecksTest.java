package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.node.RemoteScripts;
import io.mesosoperator.plan.Action;
import io.mesosoperator.plan.NodePlan;
import io.mesosoperator.plan.Observation;
import io.mesosoperator.plan.PlanOptions;
import io.mesosoperator.plan.PlanOptions.AdminAccount;
import io.mesosoperator.reconcile.ClusterKeys;
import io.mesosoperator.reconcile.DefaultProviderResolver;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.HostFirewall;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.testing.FakeRoot;
import io.mesosoperator.testing.MockApiServer;
import io.mesosoperator.validation.ManifestReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The security rules of issue 9, as tests over the sources, the plans and a running operator. */
@MockApiServer
class SecurityChecksTest {
  private static final Path MAIN = Path.of("src/main");

  /** Ways to accept any host key, in Java (sshj, MINA, JSch) and in ssh options. */
  private static final List<Pattern> ACCEPT_ANY_HOST_KEY =
      List.of(
          Pattern.compile("PromiscuousVerifier"),
          Pattern.compile("AcceptAllServerKeyVerifier|AcceptAllHostKey"),
          Pattern.compile("StrictHostKeyChecking\\s*[=\\s]\\s*\"?(no|off|accept-new)"),
          Pattern.compile("UserKnownHostsFile\\s*[=\\s]\\s*/dev/null"),
          Pattern.compile("addHostKeyVerifier\\(\\s*\\([^)]*\\)\\s*->\\s*true"),
          Pattern.compile("addHostKeyVerifier\\(\\s*\\w+\\s*->\\s*true"),
          Pattern.compile("addHostKeyVerifier\\(\\s*new\\s+HostKeyVerifier\\s*\\(\\s*\\)\\s*\\{"),
          Pattern.compile(
              "boolean\\s+verify\\s*\\([^)]*PublicKey[^)]*\\)\\s*\\{\\s*return\\s+true\\s*;"),
          Pattern.compile("(?s)implements\\s+HostKeyVerifier.{0,2000}?return\\s+true\\s*;\\s*}"));

  /** A public key in authorized_keys form (only its form matters here). */
  private static final String PUBLIC_KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJlbGlhYmlsaXR5LXRlc3Qta2V5LW9ubHktZm9ybQ test";

  @TempDir Path dir;
  KubernetesClient client;

  private static List<Path> mainFiles() throws Exception {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void noAcceptAnyHostKeyPatternAnywhereInTheOperator() throws Exception {
    List<String> offenders = new ArrayList<>();
    int scanned = 0;
    for (Path f : mainFiles()) {
      String text;
      try {
        text = Files.readString(f);
      } catch (java.nio.charset.MalformedInputException e) {
        continue; // binary resource
      }
      scanned++;
      for (Pattern p : ACCEPT_ANY_HOST_KEY) {
        if (p.matcher(text).find()) {
          offenders.add(f + ": " + p);
        }
      }
    }
    assertThat(scanned).isGreaterThan(50);
    assertThat(offenders).isEmpty();
    // The patterns do catch what they are meant to catch.
    for (String bad :
        List.of(
            "client.addHostKeyVerifier(new PromiscuousVerifier());",
            "client.addHostKeyVerifier((h, p, k) -> true);",
            "client.addHostKeyVerifier(k -> true);",
            "List.of(\"-o\", \"StrictHostKeyChecking=no\")",
            "ssh -o UserKnownHostsFile=/dev/null",
            "class X implements HostKeyVerifier { public boolean verify(String h, int p, PublicKey k)"
                + " { return true; } }")) {
      assertThat(ACCEPT_ANY_HOST_KEY).as(bad).anyMatch(p -> p.matcher(bad).find());
    }
    // The one verifier in the operator pins.
    String pinning =
        Files.readString(MAIN.resolve("java/io/mesosoperator/node/PinningHostKeyVerifier.java"));
    assertThat(pinning).contains("implements HostKeyVerifier");
  }

  @Test
  void privateKeysNeverReachTheDiskAndAdminFilesAreTight() throws Exception {
    // 1. No statement in the operator's Java writes a private key to a file.
    Pattern write =
        Pattern.compile(
            "Files\\.(write|writeString|newOutputStream|newBufferedWriter|copy)\\(|new File(Output|Writer)");
    Pattern privateKey =
        Pattern.compile("(?i)private_?key|PRIVATE_KEY|ssh-privatekey|getPrivate\\(");
    List<String> writers = new ArrayList<>();
    for (Path f : mainFiles()) {
      if (!f.toString().endsWith(".java")) {
        continue;
      }
      for (String statement : Files.readString(f).split(";")) {
        if (write.matcher(statement).find()) {
          writers.add(f.getFileName().toString());
          assertThat(privateKey.matcher(statement).find())
              .as("%s: %s", f, statement.strip())
              .isFalse();
        }
      }
    }
    assertThat(writers).isNotEmpty();
    // 2. Shell resources make private keys only with ssh-keygen (which writes them 0600).
    for (Path f : mainFiles()) {
      if (f.toString().endsWith(".sh")) {
        for (String line : Files.readAllLines(f)) {
          if (line.matches(".*>\\s*\\S*(_key|id_[a-z0-9]+)\\b.*") && !line.contains(".pub")) {
            throw new AssertionError(f + " writes a key file by redirection: " + line);
          }
        }
      }
    }
    // 3. On a node: the admin's .ssh is 0700, authorized_keys 0600, the sudoers drop-in 0440.
    Path root = Files.createDirectories(dir.resolve("root"));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : List.of("id", "useradd", "chown")) {
      Path p = bin.resolve(tool);
      Files.writeString(p, "#!/bin/sh\n" + ("id".equals(tool) ? "exit 1\n" : "exit 0\n"));
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    AdminAccount admin = new AdminAccount("mesosadmin", PUBLIC_KEY);
    String script =
        RemoteScripts.apply(
            InitStyle.SYSTEMD,
            List.of(
                new Action.EnsureAdmin(admin),
                new Action.WriteFile(NodePlan.sudoers(admin), false, false)),
            List.of());
    ProcessBuilder pb =
        new ProcessBuilder(FakeRoot.command(root, List.of("/bin/sh", "-c", script)));
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    pb.environment().put("FAKE_NODE_ROOT", root.toString());
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    assertThat(perms(root.resolve("home/mesosadmin/.ssh"))).isEqualTo("rwx------");
    assertThat(perms(root.resolve("home/mesosadmin/.ssh/authorized_keys"))).isEqualTo("rw-------");
    assertThat(perms(root.resolve("etc/sudoers.d/mesos-operator"))).isEqualTo("r--r-----");
  }

  private static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void sudoersRuleIsOneLineForTheAdminOnly() throws Exception {
    MesosCluster cluster =
        ManifestReader.read(Harness.ROOT.resolve("examples/tutorial-3x3.yaml")).cluster();
    MesosClusterSpec spec = cluster.getSpec();
    List<NodeInfo> nodes = nodes(spec, "tutorial");
    String user = spec.getSsh().getUser();
    AdminAccount admin = new AdminAccount(user, PUBLIC_KEY);
    int plans = 0;
    for (InitStyle init : InitStyle.values()) {
      for (NodeInfo node : nodes) {
        NodeConfig config =
            ClusterRenderer.render(spec, nodes, node, new NodeFacts("ubuntu", "trusty", init));
        List<Action> actions =
            NodePlan.diff(
                config,
                fresh(new NodeFacts("ubuntu", "trusty", init)),
                new PlanOptions(admin, true));
        List<Action.WriteFile> sudoers =
            actions.stream()
                .filter(a -> a instanceof Action.WriteFile)
                .map(a -> (Action.WriteFile) a)
                .filter(w -> w.file().path().startsWith("/etc/sudoers"))
                .toList();
        assertThat(sudoers).hasSize(1);
        var file = sudoers.get(0).file();
        assertThat(file.path()).isEqualTo(AdminAccount.SUDOERS_PATH);
        assertThat(file.content()).isEqualTo(user + " ALL=(ALL) NOPASSWD:ALL\n");
        assertThat(file.content().lines()).hasSize(1);
        assertThat(file.content()).doesNotContain("%").doesNotContain("ALL ALL");
        assertThat(file.mode()).isEqualTo("0440");
        assertThat(file.owner()).isEqualTo("root:root");
        plans++;
      }
    }
    assertThat(plans).isEqualTo(nodes.size() * InitStyle.values().length);
  }

  /** A node that has nothing yet. */
  private static Observation fresh(NodeFacts facts) {
    return new Observation(
        facts, Map.of(), Map.of(), Map.of(), Map.of(), false, false, false, false, Map.of(), null,
        null, Map.of());
  }

  private static List<NodeInfo> nodes(MesosClusterSpec spec, String cluster) {
    List<NodeInfo> nodes = new ArrayList<>();
    int n = 1;
    for (RoleSpec role : spec.getRoles()) {
      for (int i = 0; i < role.getReplicas(); i++) {
        nodes.add(
            new NodeInfo(
                cluster + "-" + role.getName() + "-" + i,
                role.getName(),
                "10.0.0." + n++,
                null,
                null,
                role.getType() == io.mesosoperator.api.RoleType.MASTER ? i + 1 : null));
      }
    }
    return nodes;
  }

  @Test
  void firewallOpensOnlyEachRolesOwnPortsToTheWorld() throws Exception {
    int checked = 0;
    String world = "198.51.100.7";
    try (Stream<Path> examples = Files.list(Harness.ROOT.resolve("examples"))) {
      for (Path f : examples.filter(x -> x.toString().endsWith(".yaml")).toList()) {
        MesosCluster c = ManifestReader.read(f).cluster();
        var zk = c.getSpec().getZookeeper();
        List<NodeInfo> nodes = nodes(c.getSpec(), c.getMetadata().getName());
        for (var role : c.getSpec().getRoles()) {
          // The host firewall every node of the role loads, as ClusterRenderer renders it.
          HostFirewall fw = HostFirewall.of(c.getSpec(), role, nodes);
          for (int port : role.portsOrDefault()) {
            assertThat(fw.admits(world, port, null) || !fw.publicToAll())
                .as("%s %s: public port %d", f, role.getName(), port)
                .isTrue();
          }
          for (int port :
              List.of(zk.getClientPort(), zk.getPeerPort(), zk.getElectionPort(), 5051, 31000)) {
            if (!role.portsOrDefault().contains(port)) {
              assertThat(fw.admits(world, port, null))
                  .as("%s %s: internal port %d open to the world", f, role.getName(), port)
                  .isFalse();
            }
          }
          if (role.getType() == io.mesosoperator.api.RoleType.AGENT
              && (role.getPorts() == null || role.getPorts().isEmpty())) {
            assertThat(fw.publicPorts()).as("%s %s", f, role.getName()).containsExactly(22);
          }
          // Inside the cluster the internal ports work.
          String source = fw.internalSources().get(0);
          String member =
              source.contains("/") ? source.substring(0, source.lastIndexOf('.')) + ".5" : source;
          int internal =
              role.getType() == io.mesosoperator.api.RoleType.MASTER ? zk.getClientPort() : 5051;
          assertThat(fw.admits(member, internal, null)).as("%s %s", f, role.getName()).isTrue();
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(3);
  }

  @Test
  void noSecretInLogsEventsOrStatus() throws Exception {
    Harness.installCrds(client);
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Map<String, Level> levels = new LinkedHashMap<>();
    Map<String, Level> wanted = new LinkedHashMap<>();
    for (String name :
        List.of(
            "io.mesosoperator",
            "io.javaoperatorsdk",
            "io.fabric8.kubernetes.client",
            "org.jclouds",
            "jclouds",
            "net.schmizz")) {
      wanted.put(name, Level.DEBUG);
    }
    // The mock API server is test infrastructure, not the operator.
    wanted.put("io.fabric8.kubernetes.client.server.mock", Level.INFO);
    wanted.put("io.fabric8.mockwebserver", Level.INFO);
    wanted.forEach(
        (name, level) -> {
          Logger l = (Logger) LoggerFactory.getLogger(name);
          levels.put(name, l.getLevel());
          l.setLevel(level);
        });
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    // A credentials Secret for the (jclouds stub) cloud, as a user would give one.
    String identity = "stub-identity-Ae3xQ9";
    String credential = "stub-credential-Zr8Lp2wV";
    client
        .secrets()
        .inNamespace(Harness.NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cloud-credentials")
                .withNamespace(Harness.NS)
                .endMetadata()
                .withData(
                    Map.of(
                        "identity", b64(identity),
                        "credential", b64(credential)))
                .build())
        .create();
    // The cluster's key, made here with ssh-keygen (RSA 3072 generation in the operator costs
    // seconds on a loaded CI machine), in the Secret the operator would have generated: the
    // operator reads it with the same code.
    Path keyFile = dir.resolve("id_ed25519");
    Process keygen =
        new ProcessBuilder(
                "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t", "-f", keyFile.toString())
            .redirectErrorStream(true)
            .start();
    keygen.getInputStream().readAllBytes();
    assertThat(keygen.waitFor()).isZero();
    client
        .secrets()
        .inNamespace(Harness.NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Harness.NAME + "-ssh")
                .withNamespace(Harness.NS)
                .endMetadata()
                .withType("kubernetes.io/ssh-auth")
                .withData(
                    Map.of(
                        ClusterKeys.PRIVATE_KEY, b64(Files.readString(keyFile)),
                        ClusterKeys.PUBLIC_KEY, b64(Files.readString(Path.of(keyFile + ".pub")))))
                .build())
        .create();
    OperatorRuntime operator =
        Harness.start(client, new DefaultProviderResolver(client, dir.resolve("local")), null);
    try {
      MesosCluster cluster = Harness.tutorial(client);
      cluster.getSpec().getCloud().setCredentialsSecret("cloud-credentials");
      client.resource(cluster).create();
      Harness.awaitMachinesReady(client, Duration.ofSeconds(60));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Harness.nodes(client).stream()
                      .allMatch(
                          n -> n.getStatus() != null && n.getStatus().getPrivateAddress() != null));
      Secret key =
          client.secrets().inNamespace(Harness.NS).withName(ClusterKeys.secretName(cluster)).get();
      assertThat(key).isNotNull();
      String privateKey = decode(key.getData().get(ClusterKeys.PRIVATE_KEY));
      List<String> secrets = new ArrayList<>(List.of(identity, credential));
      // Every line of the key's body (and the body in one piece) is a secret.
      privateKey
          .lines()
          .filter(l -> !l.startsWith("-----") && l.length() > 16)
          .forEach(secrets::add);
      secrets.add(privateKey.replaceAll("-----[A-Z ]+-----|\\s", "").substring(0, 64));
      // First-login credentials the cloud returned, kept in the nodes' login Secrets.
      for (MesosNode n : Harness.nodes(client)) {
        Secret login =
            client
                .secrets()
                .inNamespace(Harness.NS)
                .withName(n.getMetadata().getName() + "-login")
                .get();
        if (login != null) {
          login
              .getData()
              .forEach(
                  (k, v) -> {
                    if (!"user".equals(k)) {
                      String s = decode(v);
                      if (s.length() >= 8) {
                        secrets.add(
                            s.lines()
                                .filter(l -> l.length() > 16 && !l.startsWith("-----"))
                                .findFirst()
                                .orElse(s));
                      }
                    }
                  });
        }
      }
      Harness.quiet(Duration.ofSeconds(2)); // a resync at DEBUG
      ObjectMapper json = new ObjectMapper();
      StringBuilder seen = new StringBuilder();
      List<ILoggingEvent> logged;
      synchronized (logs) { // AppenderBase appends under the appender's lock; the operator runs
        logged = new ArrayList<>(logs.list);
      }
      logged.forEach(
          e -> {
            seen.append(e.getFormattedMessage()).append('\n');
            if (e.getThrowableProxy() != null) {
              seen.append(e.getThrowableProxy().getMessage()).append('\n');
            }
            seen.append(e.getMDCPropertyMap()).append('\n');
          });
      int logLines = logged.size();
      seen.append(
          json.writeValueAsString(client.v1().events().inNamespace(Harness.NS).list().getItems()));
      seen.append(json.writeValueAsString(Harness.get(client).getStatus()));
      for (MesosNode n : Harness.nodes(client)) {
        seen.append(json.writeValueAsString(n.getStatus()));
        seen.append(json.writeValueAsString(n.getMetadata().getAnnotations()));
      }
      assertThat(logLines).as("DEBUG log lines collected").isGreaterThan(50);
      for (String s : secrets) {
        assertThat(seen.indexOf(s))
            .as("a secret (%d chars) appears in logs, events or status", s.length())
            .isNegative();
      }
      Figures.record(
          "secrets in logs, events, status",
          new Figures.Row(
              0,
              0,
              0,
              secrets.size(),
              secrets.size(),
              logLines
                  + " DEBUG log lines, all Events and statuses of a 3+3 converge on the jclouds"
                  + " stub with a credentials Secret: no cloud identity or credential, no line of"
                  + " the cluster's private key, no first-login secret appears"));
    } finally {
      operator.close();
      root.detachAppender(logs);
      levels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String s) {
    return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
  }
}
