package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.cloud.CountingMachineProvider;
import io.mesosoperator.mesos.AppIds;
import io.mesosoperator.mesos.SshHttpTransport;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.RemoteScripts;
import io.mesosoperator.node.SshSession;
import io.mesosoperator.plan.Action;
import io.mesosoperator.plan.PlanOptions.AdminAccount;
import io.mesosoperator.reconcile.Conditions;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.render.AptSource;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.testing.FakeRoot;
import io.mesosoperator.testing.MockApiServer;
import io.mesosoperator.validation.SpecValidator;
import io.mesosoperator.validation.ValidationError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile values ({@code a; touch M}, {@code $(...)}, backticks, newlines, {@code --option}
 * injection, quotes) in every place a value can reach a remote command or a file: the validator
 * refuses them where a user writes them; where they come from the cloud they are refused before
 * they are recorded; and even when they get past both (defence in depth), the generated remote
 * scripts run by a real /bin/sh, with fake tools, carry them as one literal argument: the marker
 * file M is never created.
 */
@MockApiServer
class HostileValuesTest {
  private static final String[] TOOLS = {
    "sudo",
    "service",
    "systemctl",
    "update-rc.d",
    "apt-get",
    "apt-key",
    "gpg",
    "dpkg-query",
    "useradd",
    "id",
    "chown",
    "chpasswd",
    "sshd",
    "initctl",
    "chronyc",
    "timedatectl",
    "curl"
  };

  @TempDir Path dir;
  KubernetesClient client;
  static final AtomicInteger FAULTS = new AtomicInteger();

  private Path marker() {
    return dir.resolve("pwned");
  }

  /** The hostile values, each trying to create the marker file. */
  private List<String> hostile() {
    String m = marker().toString();
    return List.of(
        "a; touch " + m,
        "$(touch " + m + ")",
        "`touch " + m + "`",
        "a\ntouch " + m,
        "--output=" + m,
        "-oProxyCommand=touch " + m,
        "' ; touch " + m + " ; '",
        "\" ; touch " + m + " ; \"",
        "a|touch " + m,
        "a&&touch " + m,
        "${IFS}touch${IFS}" + m,
        "\\'$(touch " + m + ")");
  }

  private Path tools() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : TOOLS) {
      String body =
          "{ printf '%s' \"$(basename \"$0\")\"; for a in \"$@\"; do printf '\\t[%s]' \"$a\"; done;"
              + " printf '\\n'; } >> \"$FAKE_NODE_ROOT/calls.log\"\n";
      body +=
          switch (tool) {
            case "sudo" -> "[ \"$1\" = -n ] && shift\nexec \"$@\"\n";
            case "id", "dpkg-query" -> "exit 1\n";
            case "curl" ->
                "cat > \"$FAKE_NODE_ROOT/body.log\"\nprintf 'HTTP/1.1 200 OK\\r\\n\\r\\n{}'\n";
            default -> "exit 0\n";
          };
      Path p = bin.resolve(tool);
      Files.writeString(p, "#!/bin/sh\n" + body);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin;
  }

  /** Runs a script with the real /bin/sh in the fake root, as the remote side does. */
  private SshSession.Exec sh(Path root, Path bin, String script) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(FakeRoot.command(root, List.of("/bin/sh", "-s")));
    pb.environment().clear();
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    pb.environment().put("FAKE_NODE_ROOT", root.toString());
    pb.environment().put("LC_ALL", "C");
    pb.directory(root.toFile());
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(script.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new SshSession.Exec(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private void assertNoMarker() throws IOException {
    assertThat(marker()).doesNotExist();
    try (Stream<Path> all = Files.walk(dir)) {
      // touch makes a regular file; a directory of that name is a literal path made by mkdir -p.
      assertThat(
              all.filter(p -> p.getFileName().toString().equals("pwned"))
                  .filter(Files::isRegularFile)
                  .toList())
          .isEmpty();
    }
    assertThat(Path.of("/tmp/pwned")).doesNotExist();
  }

  @Test
  void generatedRemoteScriptsCarryHostileValuesAsLiteralArguments() throws Exception {
    Path bin = tools();
    int scripts = 0;
    for (String h : hostile()) {
      for (InitStyle init : List.of(InitStyle.SYSVINIT, InitStyle.SYSTEMD, InitStyle.UPSTART)) {
        Path root = Files.createDirectories(dir.resolve("root-" + scripts));
        // In paths, the marker is relative (the script runs in the fake root): no '/' inside.
        String hp = h.replace(marker().toString(), "pwned");
        AdminAccount admin = new AdminAccount(h, "ssh-ed25519 AAAAC3Nz " + h);
        ManagedFile content = ManagedFile.whole("/etc/mesos-slave/attributes", h + "\n");
        ManagedFile path = ManagedFile.whole("/etc/mesos/" + hp, "x\n");
        ManagedFile block =
            new ManagedFile(
                "/etc/hosts", h + "\n", "0644", "root:root", ManagedFile.Kind.BLOCK_END);
        List<Action> actions =
            List.of(
                new Action.AddAptSource(
                    new AptSource("mesos.list", "deb " + h, h, h), "/etc/apt/" + hp, "deb " + h),
                new Action.AptUpdate(),
                new Action.Upgrade("/var/lib/" + hp),
                new Action.InstallPackages(List.of(h, "mesos")),
                new Action.EnsureAdmin(admin),
                new Action.WriteFile(content, false, false),
                new Action.WriteFile(path, false, false),
                new Action.WriteFile(block, false, false),
                new Action.DisableService(h, init),
                new Action.RestartService(h, init, List.of(h)),
                new Action.StartService(h, init),
                new Action.RecordDigest("/var/lib/mesos-operator/" + hp, h));
        SshSession.Exec applied = sh(root, bin, RemoteScripts.apply(init, actions, List.of(h)));
        assertThat(applied.exitStatus()).as("%s\n%s", h, applied.stdout()).isZero();
        assertThat(RemoteScripts.parseApply(applied.stdout()).done()).hasSize(actions.size());
        // Contents arrive byte for byte; the hostile value went into the tools as one argument.
        assertThat(Files.readString(root.resolve("etc/mesos-slave/attributes")))
            .isEqualTo(h + "\n");
        assertThat(Files.readString(root.resolve("etc/hosts"))).contains("\n" + h + "\n");
        assertThat(Files.readString(root.resolve("etc/mesos/" + hp))).isEqualTo("x\n");
        String calls = Files.readString(root.resolve("calls.log"));
        assertThat(calls).contains("\t[" + h + "]\t[mesos]");
        assertThat(calls).contains("[" + h + "]");
        var observe =
            new RemoteScripts.ObserveSpec(
                List.of(
                    new RemoteScripts.FileRef("/etc/" + hp, false),
                    new RemoteScripts.FileRef("/etc/hosts", true)),
                List.of(h),
                List.of(h),
                h,
                admin);
        SshSession.Exec observed = sh(root, bin, RemoteScripts.observe(observe));
        assertThat(observed.exitStatus()).as(h).isZero();
        assertThat(RemoteScripts.parseObservation(observed.stdout(), observe).packages())
            .doesNotContainKey(h);
        assertThat(sh(root, bin, RemoteScripts.status(init, List.of(h))).exitStatus()).isZero();
        scripts += 3;
        assertNoMarker();
      }
    }
    Figures.record(
        "hostile values: remote scripts",
        new Figures.Row(
            scripts,
            scripts,
            0,
            0,
            0,
            hostile().size()
                + " hostile values in every apply/observe/status call (apt source, packages, admin"
                + " user and key, file paths and contents, services, digests), 3 init styles, real"
                + " /bin/sh: no marker file"));
  }

  @Test
  void marathonRequestsOverSshQuoteBodiesAndRefuseHostileIds() throws Exception {
    Path bin = tools();
    Path root = Files.createDirectories(dir.resolve("http"));
    ObjectMapper json = new ObjectMapper();
    SshSession session =
        new SshSession() {
          @Override
          public String hostKey() {
            return "SHA256:test";
          }

          @Override
          public String user() {
            return "admin";
          }

          @Override
          public Exec run(String script) throws IOException {
            try {
              return sh(root, bin, script);
            } catch (Exception e) {
              throw new IOException(e);
            }
          }

          @Override
          public void close() {}
        };
    SshHttpTransport http = new SshHttpTransport(session);
    int tried = 0;
    for (String h : hostile()) {
      assertThatThrownBy(() -> AppIds.path(h)).isInstanceOf(IllegalArgumentException.class);
      ObjectNode app = json.createObjectNode().put("id", "/hello").put("cmd", h);
      app.putObject("labels").put(h, h);
      var response =
          http.send("PUT", "http://127.0.0.1:8080" + AppIds.path("hello"), app.toString());
      assertThat(response.status()).isEqualTo(200);
      assertThat(json.readTree(root.resolve("body.log").toFile())).isEqualTo(app);
      tried++;
      assertNoMarker();
    }
    Figures.record(
        "hostile values: Marathon over SSH",
        new Figures.Row(
            tried * 2L,
            tried * 2L,
            0,
            tried,
            tried,
            "hostile app ids refused by AppIds; hostile cmd and labels sent through curl on the"
                + " node arrive byte for byte, no marker file"));
  }

  @Test
  void theValidatorRefusesHostileValuesInEveryFieldAUserWrites() {
    Map<String, BiConsumer<MesosCluster, String>> fields = new java.util.LinkedHashMap<>();
    fields.put("metadata.name", (c, h) -> c.getMetadata().setName(h));
    fields.put("spec.roles[1].name", (c, h) -> c.getSpec().getRoles().get(1).setName(h));
    fields.put("spec.ssh.user", (c, h) -> c.getSpec().getSsh().setUser(h));
    fields.put("spec.ssh.keySecret", (c, h) -> c.getSpec().getSsh().setKeySecret(h));
    fields.put(
        "spec.cloud.credentialsSecret", (c, h) -> c.getSpec().getCloud().setCredentialsSecret(h));
    fields.put("spec.packages.repository", (c, h) -> c.getSpec().getPackages().setRepository(h));
    fields.put("spec.packages.keyServer", (c, h) -> c.getSpec().getPackages().setKeyServer(h));
    fields.put("spec.packages.keyId", (c, h) -> c.getSpec().getPackages().setKeyId(h));
    fields.put(
        "spec.packages.master[0]", (c, h) -> c.getSpec().getPackages().setMaster(List.of(h)));
    fields.put("spec.packages.agent[0]", (c, h) -> c.getSpec().getPackages().setAgent(List.of(h)));
    fields.put(
        "spec.roles[1].packages[0]",
        (c, h) -> c.getSpec().getRoles().get(1).setPackages(List.of(h)));
    fields.put(
        "spec.roles[1].attributes[",
        (c, h) -> c.getSpec().getRoles().get(1).setAttributes(Map.of(h, "v")));
    fields.put(
        "spec.roles[1].attributes[rack]",
        (c, h) -> c.getSpec().getRoles().get(1).setAttributes(Map.of("rack", h)));
    fields.put(
        "spec.marathon.apps[0].id",
        (c, h) ->
            c.getSpec()
                .getMarathon()
                .setApps(
                    List.of(new ObjectMapper().createObjectNode().put("id", h).put("cmd", "x"))));
    int tried = 0;
    int refused = 0;
    for (var field : fields.entrySet()) {
      for (String h : hostile()) {
        MesosCluster c = Harness.tutorial(client);
        field.getValue().accept(c, h);
        List<ValidationError> errors = SpecValidator.validate(c);
        tried++;
        assertThat(errors)
            .as("%s = %s", field.getKey(), h)
            .anyMatch(e -> e.path().startsWith(field.getKey()));
        refused++;
      }
    }
    Figures.record(
        "hostile values: validator",
        new Figures.Row(
            0,
            0,
            0,
            tried,
            refused,
            fields.size()
                + " user-written fields (node/role/cluster names, ssh user, Secrets,"
                + " repository, key server and id, package names, attribute keys and values, app"
                + " ids) x "
                + hostile().size()
                + " hostile values"));
  }

  @Test
  void hostileAddressesFromTheCloudAreNeverRecordedNorConfigured() throws Exception {
    Harness.installCrds(client);
    MapCloud cloud = new MapCloud();
    List<String> bad = new ArrayList<>(hostile());
    bad.add("10.0.0.1\n10.0.0.2 evil");
    cloud.addresses = n -> bad.get((n - 1) % bad.size());
    List<String> configured = new CopyOnWriteArrayList<>();
    NodeConfigurer recording =
        (target, desired) -> {
          configured.add(target.address());
          return new io.mesosoperator.node.NoopNodeConfigurer().configure(target, desired);
        };
    OperatorRuntime operator =
        Harness.start(client, c -> new CountingMachineProvider(cloud), recording);
    try {
      client.resource(Harness.tutorial(client)).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                List<MesosNode> nodes = Harness.nodes(client);
                assertThat(nodes).hasSize(6);
                assertThat(nodes)
                    .allSatisfy(
                        n -> {
                          assertThat(n.getStatus()).isNotNull();
                          var c =
                              Conditions.get(
                                  n.getStatus().getConditions(), Conditions.MACHINE_READY);
                          assertThat(c).isPresent();
                          assertThat(c.get().getStatus()).isEqualTo("False");
                          assertThat(c.get().getReason()).isEqualTo("InvalidMachineAddress");
                          assertThat(n.getStatus().getPrivateAddress()).isNull();
                        });
              });
      Harness.quiet(Duration.ofSeconds(2));
      assertThat(configured).isEmpty();
      String everything =
          client.resources(MesosNode.class).inNamespace(Harness.NS).list().toString()
              + client.v1().events().inNamespace(Harness.NS).list().toString()
              + Harness.get(client).toString();
      assertThat(everything).doesNotContain("touch").doesNotContain("evil");
      Figures.record(
          "hostile values: cloud addresses",
          new Figures.Row(
              6,
              6,
              0,
              6,
              6,
              "the cloud returns hostile private addresses: MachineReady=False"
                  + " InvalidMachineAddress, never in status, events or a node's files, no SSH"));
    } finally {
      operator.close();
    }
  }
}
