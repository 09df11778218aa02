package io.mesosoperator.node;

import io.mesosoperator.api.Patterns;
import io.mesosoperator.node.RemoteScripts.ApplyReport;
import io.mesosoperator.node.RemoteScripts.ObserveSpec;
import io.mesosoperator.node.SshSessions.AuthenticationException;
import io.mesosoperator.node.SshSessions.HostKeyMismatchException;
import io.mesosoperator.node.SshSessions.Login;
import io.mesosoperator.plan.Action;
import io.mesosoperator.plan.ConfigDigest;
import io.mesosoperator.plan.Digests;
import io.mesosoperator.plan.NodePlan;
import io.mesosoperator.plan.Observation;
import io.mesosoperator.plan.PlanOptions;
import io.mesosoperator.plan.PlanOptions.AdminAccount;
import io.mesosoperator.plan.RestartGate;
import io.mesosoperator.render.HostFirewall;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges one node over SSH: one (possibly kept-open) connection per call, one observe command,
 * one apply script for the whole plan, then bounded status polls for services that do not answer
 * yet. A converged node costs exactly one round trip. No threads of its own: parallelism across
 * nodes is the caller's.
 */
public final class SshNodeConfigurer implements NodeConfigurer, AutoCloseable {
  /** The annotation the operator reads to accept a changed host key. */
  public static final String ACCEPT_HOST_KEY_ANNOTATION = "mesosoperator.io/accept-host-key";

  /**
   * Configured reason when another pass holds the node's apply lock (one whose connection dropped
   * but which still runs on the node, or another operator): nothing was looked at or changed.
   */
  public static final String NODE_BUSY = "NodeBusy";

  /**
   * Configured reason when sshd's effective settings allow what the hardening turns off (password,
   * keyboard-interactive or root login), e.g. through a {@code Match} block.
   */
  public static final String SSHD_NOT_HARDENED = "SshdNotHardened";

  private static final Logger LOG = LoggerFactory.getLogger(SshNodeConfigurer.class);

  private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9@._-]*");
  private static final Pattern PUBLIC_KEY =
      Pattern.compile("(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/]+=*( [^\\n\\r]*)?");
  private static final Pattern MODE = Pattern.compile("0?[0-7]{3,4}");
  private static final Pattern OWNER = Pattern.compile("[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?");

  /**
   * @param serviceTimeout how long to wait for restarted services to answer
   * @param pollInterval pause between status polls
   */
  public record Settings(Duration serviceTimeout, Duration pollInterval) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofMinutes(2), Duration.ofSeconds(2));
  }

  private final SshSessions sessions;
  private final Settings settings;

  public SshNodeConfigurer() {
    this(new SshjSessions(), Settings.DEFAULT);
  }

  public SshNodeConfigurer(SshSessions sessions, Settings settings) {
    this.sessions = sessions;
    this.settings = settings;
  }

  /** Closes the SSH connections kept between passes (operator shutdown). */
  @Override
  public void close() {
    if (sessions instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing SSH connections: {}", e.toString());
      }
    }
  }

  @Override
  public NodeResult configure(NodeTarget target, Function<NodeFacts, NodeConfig> desired) {
    Pass pass = new Pass(target);
    AdminAccount admin =
        target.publicKey() == null ? null : new AdminAccount(target.user(), target.publicKey());
    List<NodeConfig> probes = new ArrayList<>();
    try {
      // The node's facts are not known before the observe command, so ask about everything
      // any init system would need; one command then answers for the facts actually found.
      for (InitStyle init : InitStyle.values()) {
        NodeFacts guess =
            new NodeFacts(NodeFacts.TUTORIAL.distro(), NodeFacts.TUTORIAL.codename(), init);
        probes.add(forTarget(desired.apply(guess), target));
      }
    } catch (RuntimeException e) {
      return pass.notConfigured(null, "RenderFailed", "rendering the node's files failed: " + e);
    }
    String invalid = invalid(target, probes);
    if (invalid != null) {
      return pass.notConfigured(null, "InvalidConfig", invalid);
    }

    SshSession session;
    boolean bootstrap = false;
    try {
      // The admin's key login may ride on a connection kept from the last pass (same node, key
      // and pinned host key); first logins and the admin check below always log in afresh.
      session =
          sessions.reuse(
              target.address(),
              target.port(),
              Login.key(target.user(), target.privateKey(), target.publicKey()),
              target.pinnedHostKey());
    } catch (HostKeyMismatchException e) {
      return pass.hostKeyMismatch(e);
    } catch (AuthenticationException e) {
      if (target.firstLogin() == null) {
        return pass.unreachable(
            e.hostKey(),
            "LoginFailed",
            "the node refused the key login as " + target.user() + " and no first-login is known");
      }
      String pin = e.hostKey() != null ? e.hostKey() : target.pinnedHostKey();
      try {
        var first = target.firstLogin();
        session =
            sessions.open(
                target.address(),
                target.port(),
                new Login(first.user(), first.privateKey(), null, first.password()),
                pin);
        bootstrap = true;
      } catch (HostKeyMismatchException e2) {
        return pass.hostKeyMismatch(e2);
      } catch (IOException e2) {
        return pass.unreachable(
            pin,
            "LoginFailed",
            "the node refused both the key login as "
                + target.user()
                + " and the first login as "
                + target.firstLogin().user());
      }
    } catch (IOException e) {
      return pass.unreachable(null, "Unreachable", "cannot connect: " + e.getMessage());
    }
    try (SshSession open = session) {
      return converge(pass, open, target, desired, probes, admin, bootstrap);
    }
  }

  @Override
  public List<String> plan(NodeTarget target, Function<NodeFacts, NodeConfig> desired) {
    Pass pass = new Pass(target);
    AdminAccount admin =
        target.publicKey() == null ? null : new AdminAccount(target.user(), target.publicKey());
    try (SshSession session =
        sessions.reuse(
            target.address(),
            target.port(),
            Login.key(target.user(), target.privateKey(), target.publicKey()),
            target.pinnedHostKey())) {
      List<NodeConfig> probes = new ArrayList<>();
      for (InitStyle init : InitStyle.values()) {
        probes.add(
            forTarget(
                desired.apply(
                    new NodeFacts(
                        NodeFacts.TUTORIAL.distro(), NodeFacts.TUTORIAL.codename(), init)),
                target));
      }
      Observation observed = observe(pass, session, ObserveSpec.of(probes, admin));
      NodeConfig config = forTarget(desired.apply(observed.facts()), target);
      ObserveSpec needed = ObserveSpec.of(List.of(config), admin);
      observed = observe(pass, session, needed);
      List<Action> plan = NodePlan.diff(config, observed, new PlanOptions(admin, target.harden()));
      return plan.isEmpty()
          ? List.of("nothing to change")
          : NodePlan.render(plan).lines().filter(l -> !l.isBlank()).toList();
    } catch (HostKeyMismatchException e) {
      return List.of("cannot plan: the host key changed (" + e.presented() + ")");
    } catch (IOException | RuntimeException e) {
      return List.of("cannot plan: " + e.getMessage());
    }
  }

  private NodeResult converge(
      Pass pass,
      SshSession session,
      NodeTarget target,
      Function<NodeFacts, NodeConfig> desired,
      List<NodeConfig> probes,
      AdminAccount admin,
      boolean bootstrap) {
    pass.hostKey = session.hostKey();
    Observation observed;
    NodeConfig config;
    try {
      ObserveSpec spec = ObserveSpec.of(probes, admin);
      observed = observe(pass, session, spec);
      config = forTarget(desired.apply(observed.facts()), target);
      String invalid = invalid(target, List.of(config));
      if (invalid != null) {
        return pass.notConfigured(observed, "InvalidConfig", invalid);
      }
      ObserveSpec needed = ObserveSpec.of(List.of(config), admin);
      if (!spec.covers(needed)) {
        observed = observe(pass, session, needed);
      }
    } catch (NodeBusy e) {
      return pass.notConfigured(null, NODE_BUSY, e.getMessage());
    } catch (RemoteFailure e) {
      return pass.notConfigured(null, "ObserveFailed", e.getMessage());
    } catch (IOException e) {
      return pass.unreachable(pass.hostKey, "Unreachable", "observe failed: " + e.getMessage());
    } catch (RuntimeException e) {
      return pass.notConfigured(null, "RenderFailed", "rendering the node's files failed: " + e);
    }
    InitStyle init = observed.facts().init();
    Map<String, Boolean> running = new LinkedHashMap<>();
    for (String s : config.services()) {
      running.put(s, observed.service(s).running());
      if (!observed.service(s).installed()) {
        pass.absent.add(s);
      }
    }

    List<Action> plan =
        NodePlan.diff(config, observed, new PlanOptions(admin, target.harden() && !bootstrap));
    List<String> notHardened = notHardened(target, bootstrap, config, observed, plan);
    RestartGate.Decision gate =
        RestartGate.gate(
            config, observed, plan, target.restartsHeld() && !bootstrap, target.restartAll());
    if (gate instanceof RestartGate.Hold hold) {
      // Nothing is written: no file sits changed on the node without its restart.
      return pass.result(
          ConditionState.isFalse(
              NodeTarget.AWAITING_RESTART_TURN,
              "waiting for this node's restart turn to: " + String.join("; ", hold.waiting())),
          running,
          observed);
    }
    plan = ((RestartGate.Run) gate).actions();
    pass.firewallConfig = config;
    if (plan.stream().anyMatch(a -> a instanceof Action.LoadFirewall)) {
      // Checked before anything runs: a refused pass changes nothing on the node.
      String refused = NodePlan.firewallRefusal(config, observed);
      if (refused != null) {
        pass.events.add(new NodeEvent(true, "FirewallRefused", target.node() + ": " + refused));
        return pass.notConfigured(observed, "FirewallRefused", refused);
      }
    }
    try {
      if (!apply(pass, session, init, plan, config.services(), running)) {
        return pass.notConfigured(observed, pass.busy ? NODE_BUSY : "ApplyFailed", pass.failure);
      }
      String unverified = null;
      if (bootstrap) {
        unverified = verifyAdminAndHarden(pass, target, admin, config, running);
      }
      pollServices(pass, session, init, running);
      if (unverified != null) {
        pass.events.add(new NodeEvent(true, "AdminLoginUnverified", unverified));
        return pass.result(
            ConditionState.isFalse("AdminLoginUnverified", unverified), running, observed);
      }
    } catch (IOException e) {
      return pass.notConfigured(observed, "ApplyFailed", "lost the node: " + e.getMessage());
    }
    pass.digest = ConfigDigest.of(config);
    if (!notHardened.isEmpty()) {
      return pass.result(
          ConditionState.isFalse(
              SSHD_NOT_HARDENED,
              "sshd's effective settings (sshd -T -C) differ from the hardening in"
                  + " /etc/ssh/sshd_config: "
                  + String.join("; ", notHardened)
                  + "; a Match block or an earlier Include sets them"),
          running,
          observed);
    }
    String message =
        pass.changes == 0
            ? "no changes; configuration " + pass.digest
            : pass.changes + " changes; configuration " + pass.digest;
    return pass.result(ConditionState.isTrue("Converged", message), running, observed);
  }

  /**
   * With the hardening already in place on the node (this pass writes none of it), what sshd's
   * effective settings still allow; empty when hardening is off, not yet applied or effective.
   */
  private static List<String> notHardened(
      NodeTarget target,
      boolean bootstrap,
      NodeConfig config,
      Observation observed,
      List<Action> plan) {
    boolean inPlace =
        target.harden()
            && !bootstrap
            && config.files().stream().anyMatch(NodePlan::isHardening)
            && plan.stream()
                .noneMatch(a -> a instanceof Action.WriteFile w && NodePlan.isHardening(w.file()));
    return inPlace ? NodePlan.sshdNotHardened(observed) : List.of();
  }

  /**
   * After a first-login bootstrap: a fresh connection as the admin with its key, through sudo -n,
   * must work before sshd is hardened. Returns null when verified, else why not.
   */
  private String verifyAdminAndHarden(
      Pass pass,
      NodeTarget target,
      AdminAccount admin,
      NodeConfig config,
      Map<String, Boolean> running)
      throws IOException {
    String keep = "; password and root login stay enabled";
    if (admin == null) {
      return "no admin public key is known, so the admin login cannot be set up" + keep;
    }
    // A fresh login proves the key; once proven, the connection may serve the next pass.
    try (SshSession adminSession =
        sessions.openReusable(
            target.address(),
            target.port(),
            Login.key(target.user(), target.privateKey(), target.publicKey()),
            pass.hostKey)) {
      Observation again;
      try {
        // Runs through "sudo -n": success proves both the key login and password-less sudo.
        again = observe(pass, adminSession, ObserveSpec.of(List.of(config), admin));
      } catch (RemoteFailure e) {
        return "the admin "
            + target.user()
            + " logged in with its key but sudo -n failed ("
            + e.getMessage()
            + ")"
            + keep;
      }
      if (!target.harden()) {
        return null;
      }
      // Everything else converged in the bootstrap apply: this is the hardening and its reload.
      List<Action> plan = NodePlan.diff(config, again, new PlanOptions(admin, true));
      if (!apply(pass, adminSession, again.facts().init(), plan, config.services(), running)) {
        return "hardening sshd over the verified admin login failed: " + pass.failure;
      }
      return null;
    } catch (HostKeyMismatchException e) {
      return "the host key changed during the pass (" + e.presented() + ")" + keep;
    } catch (AuthenticationException e) {
      return "a fresh login as the admin "
          + target.user()
          + " with its key was refused"
          + keep
          + " until it works";
    }
  }

  private Observation observe(Pass pass, SshSession session, ObserveSpec spec) throws IOException {
    pass.roundTrips++;
    SshSession.Exec exec = session.run(RemoteScripts.observe(spec));
    int waited = RemoteScripts.busyWaited(exec.stdout());
    if (waited >= 0) {
      throw new NodeBusy(busyMessage(waited) + "; nothing was looked at or changed");
    }
    if (!exec.ok()) {
      throw new RemoteFailure(
          "the observe command exited with "
              + exec.exitStatus()
              + ": "
              + firstLines(exec.stderr()));
    }
    return RemoteScripts.parseObservation(exec.stdout(), spec);
  }

  /** Runs the plan as one script; false (and pass.failure set) when a step failed. */
  private boolean apply(
      Pass pass,
      SshSession session,
      InitStyle init,
      List<Action> plan,
      List<String> services,
      Map<String, Boolean> running)
      throws IOException {
    if (plan.isEmpty()) {
      return true;
    }
    LOG.info("{}: applying {} actions", pass.target.node(), plan.size());
    for (Action a : plan) {
      LOG.debug("{}: {}", pass.target.node(), a.describe());
    }
    pass.roundTrips++;
    SshSession.Exec exec = session.run(RemoteScripts.apply(init, plan, services));
    int waited = RemoteScripts.busyWaited(exec.stdout());
    if (waited >= 0) {
      pass.busy = true;
      pass.failure = busyMessage(waited) + "; nothing was changed";
      return false;
    }
    ApplyReport report = RemoteScripts.parseApply(exec.stdout());
    for (int i = 0; i < plan.size(); i++) {
      // A skipped start/restart (service not installed) changed nothing on the node.
      if (report.done().contains(i) && !report.skipped().contains(i)) {
        account(pass, plan.get(i));
      }
    }
    record(pass, report, services, running);
    if (!exec.ok()) {
      int failed = 0;
      while (report.done().contains(failed)) {
        failed++;
      }
      String step = failed < plan.size() ? plan.get(failed).describe() : "the final status check";
      List<String> log = report.log();
      String tail = String.join(" | ", log.subList(Math.max(0, log.size() - 5), log.size()));
      pass.failure =
          "step \""
              + step
              + "\" failed (exit "
              + exec.exitStatus()
              + ")"
              + (tail.isEmpty() ? "" : ": " + tail);
      pass.events.add(new NodeEvent(true, "ApplyFailed", pass.target.node() + ": " + pass.failure));
      return false;
    }
    return true;
  }

  private static void record(
      Pass pass, ApplyReport report, List<String> services, Map<String, Boolean> running) {
    report
        .running()
        .forEach(
            (i, up) -> {
              String name = services.get(i);
              running.put(name, up);
              if (report.missing().contains(i)) {
                pass.absent.add(name);
              } else {
                pass.absent.remove(name);
              }
            });
  }

  private void account(Pass pass, Action action) {
    pass.changes += action.changes();
    if (action instanceof Action.RestartService) {
      pass.restarts++;
    }
    if (action instanceof Action.WriteFile w && w.restore()) {
      pass.events.add(
          new NodeEvent(
              false,
              "FileRestored",
              "node "
                  + pass.target.node()
                  + ": "
                  + w.file().path()
                  + " had been changed on the node and was restored"));
    }
    if (action instanceof Action.LoadFirewall f && f.drift()) {
      pass.events.add(
          new NodeEvent(
              false,
              "FirewallRestored",
              "node "
                  + pass.target.node()
                  + ": the host firewall had been changed or unloaded on the node ("
                  + f.because()
                  + ") and was loaded again"));
    }
  }

  private void pollServices(
      Pass pass, SshSession session, InitStyle init, Map<String, Boolean> running)
      throws IOException {
    long deadline = System.nanoTime() + settings.serviceTimeout().toNanos();
    // Services that are not installed will not come up by waiting.
    while (!pass.down(running).isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(settings.pollInterval().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      List<String> down = pass.down(running);
      pass.roundTrips++;
      SshSession.Exec exec = session.run(RemoteScripts.status(init, down));
      record(pass, RemoteScripts.parseApply(exec.stdout()), down, running);
    }
  }

  /** Drops the sshd hardening when the target does not want it. */
  private static NodeConfig forTarget(NodeConfig c, NodeTarget target) {
    if (target.harden()) {
      return c;
    }
    List<ManagedFile> files = c.files().stream().filter(f -> !NodePlan.isHardening(f)).toList();
    return new NodeConfig(
        c.node(),
        c.roleType(),
        c.hostname(),
        files,
        c.aptSource(),
        c.packages(),
        c.upgrade(),
        c.clockSync(),
        c.services(),
        c.disabledServices(),
        c.restartTriggers());
  }

  /** Names that reach remote commands as arguments are checked, so none can pose as an option. */
  static String invalid(NodeTarget target, List<NodeConfig> configs) {
    if (target.user() == null || !Patterns.SSH_USER.matcher(target.user()).matches()) {
      return "admin user name is not a valid Linux user name";
    }
    if (target.publicKey() != null && !PUBLIC_KEY.matcher(target.publicKey().trim()).matches()) {
      return "the admin public key is not in authorized_keys form";
    }
    for (NodeConfig c : configs) {
      for (String p : c.packages()) {
        if (!Patterns.PACKAGE.matcher(p).matches()) {
          return "invalid package name " + p;
        }
      }
      for (List<String> names : List.of(c.services(), c.disabledServices())) {
        for (String s : names) {
          if (!SERVICE.matcher(s).matches()) {
            return "invalid service name " + s;
          }
        }
      }
      for (ManagedFile f : c.files()) {
        if (!f.path().startsWith("/") || f.path().contains("\n") || f.path().contains("/../")) {
          return "invalid managed path " + f.path();
        }
        if (!MODE.matcher(f.mode()).matches() || !OWNER.matcher(f.owner()).matches()) {
          return "invalid mode or owner for " + f.path();
        }
      }
      if (c.aptSource() != null) {
        if (c.aptSource().keyId().isEmpty()
            || c.aptSource().keyServer().isEmpty()
            || !Patterns.KEY_ID.matcher(c.aptSource().keyId()).matches()
            || !Patterns.KEY_SERVER.matcher(c.aptSource().keyServer()).matches()
            || c.aptSource().line().contains("\n")) {
          return "invalid apt source, key id or key server";
        }
      }
    }
    return null;
  }

  private static String firstLines(String text) {
    String t = text.strip();
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }

  private static String busyMessage(int waited) {
    return "another pass still runs on the node (one whose connection dropped, or another"
        + " operator) and kept its apply lock for "
        + waited
        + " s";
  }

  /** Another pass holds the node's apply lock. */
  private static final class NodeBusy extends IOException {
    NodeBusy(String message) {
      super(message);
    }
  }

  /** A remote script ran but failed. */
  private static final class RemoteFailure extends IOException {
    RemoteFailure(String message) {
      super(message);
    }
  }

  /** Counters and events of one configure() call. */
  /** What a loaded host firewall admits, for the FirewallApplied condition. */
  static String loadedMessage(HostFirewall fw) {
    return "nftables table inet "
        + HostFirewall.TABLE
        + " loaded: tcp "
        + fw.publicPorts().stream().map(String::valueOf).collect(Collectors.joining(","))
        + " from "
        + (fw.publicToAll() ? "anywhere" : String.join(",", fw.publicSources()))
        + "; tcp "
        + String.join(",", fw.internalPorts())
        + " from the cluster ("
        + (fw.internalSources().size() == 1
            ? fw.internalSources().get(0)
            : fw.internalSources().size() + " addresses")
        + "); ssh from the operator's address; everything else inbound dropped";
  }

  private static final class Pass {
    final NodeTarget target;
    final List<NodeEvent> events = new ArrayList<>();

    /** Services the node has no init script or unit for. */
    final Set<String> absent = new LinkedHashSet<>();

    int roundTrips;
    int changes;
    int restarts;
    String hostKey;
    String digest;
    String failure;
    boolean busy;

    /** The configuration this pass converges to, once rendered. */
    NodeConfig firewallConfig;

    Pass(NodeTarget target) {
      this.target = target;
    }

    /** Installed services that do not answer. */
    List<String> down(Map<String, Boolean> running) {
      return running.entrySet().stream()
          .filter(e -> !e.getValue() && !absent.contains(e.getKey()))
          .map(Map.Entry::getKey)
          .toList();
    }

    NodeResult hostKeyMismatch(HostKeyMismatchException e) {
      String message =
          "node "
              + target.node()
              + " presented host key "
              + e.presented()
              + " but "
              + e.expected()
              + " is pinned; no command was sent. If the machine was rebuilt on purpose, accept"
              + " the new key with the annotation "
              + ACCEPT_HOST_KEY_ANNOTATION
              + ": "
              + e.presented();
      events.add(new NodeEvent(true, "HostKeyMismatch", message));
      LOG.warn(
          "{}: host key mismatch, presented {} pinned {}",
          target.node(),
          e.presented(),
          e.expected());
      ConditionState unknown = ConditionState.unknown("HostKeyMismatch", "node not reached");
      return new NodeResult(
          ConditionState.isFalse("HostKeyMismatch", message),
          unknown,
          unknown,
          e.presented(),
          null,
          0,
          0,
          roundTrips,
          List.copyOf(events));
    }

    NodeResult unreachable(String hostKey, String reason, String message) {
      LOG.info("{}: {}: {}", target.node(), reason, message);
      ConditionState unknown = ConditionState.unknown(reason, "node not reached");
      return new NodeResult(
          ConditionState.isFalse(reason, message),
          unknown,
          unknown,
          hostKey,
          null,
          changes,
          restarts,
          roundTrips,
          List.copyOf(events));
    }

    /**
     * FirewallApplied from what the node showed: True only when the file on the node is the desired
     * one and the live table is the one loaded from it.
     */
    ConditionState firewallAsObserved(Observation observed, String reason) {
      HostFirewall fw = firewallConfig == null ? null : firewallConfig.firewall();
      if (fw == null || observed == null) {
        return null;
      }
      ManagedFile file =
          firewallConfig.files().stream()
              .filter(f -> f.path().equals(HostFirewall.PATH))
              .findFirst()
              .orElse(null);
      boolean fileCurrent = file != null && Digests.desired(file).equals(observed.digestOf(file));
      if (fileCurrent && observed.firewall().loadedAsRecorded()) {
        return ConditionState.isTrue("Loaded", loadedMessage(fw));
      }
      return ConditionState.isFalse(
          reason,
          "the host firewall is not loaded as desired"
              + (fileCurrent ? " (the live table differs from the one loaded)" : ""));
    }

    NodeResult notConfigured(Observation observed, String reason, String message) {
      LOG.info("{}: {}: {}", target.node(), reason, message);
      ConditionState services = ConditionState.unknown(reason, "configuration did not complete");
      return new NodeResult(
          reached(),
          ConditionState.isFalse(reason, message),
          services,
          hostKey,
          observed == null || observed.appliedDigest().isEmpty() ? null : observed.appliedDigest(),
          changes,
          restarts,
          roundTrips,
          List.copyOf(events),
          firewallAsObserved(observed, reason));
    }

    NodeResult result(
        ConditionState configured, Map<String, Boolean> running, Observation observed) {
      List<String> down = down(running);
      ConditionState services;
      if (!absent.isEmpty()) {
        // Not installed is not "down": nothing was restarted for it and waiting will not help.
        services =
            ConditionState.isFalse(
                "ServiceNotInstalled",
                "no init script or unit on the node for: "
                    + String.join(", ", absent)
                    + (down.isEmpty() ? "" : "; not answering: " + String.join(", ", down)));
      } else if (down.isEmpty()) {
        services =
            ConditionState.isTrue("Running", "running: " + String.join(", ", running.keySet()));
      } else {
        services =
            ConditionState.isFalse("ServicesDown", "not answering: " + String.join(", ", down));
      }
      String d = digest;
      if (d == null && !observed.appliedDigest().isEmpty()) {
        d = observed.appliedDigest();
      }
      // A pass that changed nothing is the common case on a converged cluster: DEBUG only.
      if (changes == 0 && restarts == 0 && events.isEmpty()) {
        LOG.debug("{}: no changes, {} round trips", target.node(), roundTrips);
      } else {
        LOG.info(
            "{}: {} changes, {} restarts, {} round trips",
            target.node(),
            changes,
            restarts,
            roundTrips);
      }
      ConditionState firewall = null;
      if (firewallConfig != null && firewallConfig.firewall() != null) {
        firewall =
            configured.isTrue()
                ? ConditionState.isTrue("Loaded", loadedMessage(firewallConfig.firewall()))
                : firewallAsObserved(observed, configured.reason());
      }
      return new NodeResult(
          reached(),
          configured,
          services,
          hostKey,
          d,
          changes,
          restarts,
          roundTrips,
          List.copyOf(events),
          firewall);
    }

    private ConditionState reached() {
      return hostKey == null
          ? ConditionState.isTrue("Connected", "logged in")
          : ConditionState.isTrue("Connected", "logged in; host key " + hostKey);
    }
  }
}
