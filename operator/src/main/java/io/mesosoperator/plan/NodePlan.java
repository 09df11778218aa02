package io.mesosoperator.plan;

import io.mesosoperator.plan.Observation.ServiceState;
import io.mesosoperator.render.AptSource;
import io.mesosoperator.render.HostFirewall;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Pure diff of a node's desired configuration against an observation: the ordered actions that
 * converge the node, and nothing for a node that already is.
 */
public final class NodePlan {
  /** Exists once the first-pass upgrade ran. */
  public static final String UPGRADE_MARKER = "/var/lib/mesos-operator/upgraded";

  /** Holds the digest of the configuration the node was last converged to. */
  public static final String APPLIED_DIGEST = "/var/lib/mesos-operator/applied";

  /**
   * Holds one file per service: the digest of the inputs ({@link ConfigDigest#ofService}) the
   * service was last started with, written only after that start succeeded.
   */
  public static final String STARTED_DIR = "/var/lib/mesos-operator/started/";

  /** The {@code because} of a restart of a service whose record names other inputs. */
  public static final String STARTED_OLDER = "started with an older configuration";

  /**
   * The {@code because} of a restart of a running service without a record on a node whose last
   * complete apply was another configuration (or none): what it runs is not known.
   */
  public static final String NOT_RECORDED = "not known what it was started with";

  /** Where apt source files live when {@link AptSource#path()} is a bare file name. */
  public static final String SOURCES_DIR = "/etc/apt/sources.list.d/";

  /** The clock synchronisation service enabled when {@link NodeConfig#clockSync()}. */
  public static final String CLOCK_SERVICE = "chrony";

  private NodePlan() {}

  /** {@link #diff(NodeConfig, Observation, PlanOptions)} without an admin account. */
  public static List<Action> diff(NodeConfig desired, Observation observed) {
    return diff(desired, observed, PlanOptions.DEFAULT);
  }

  /** The ordered actions that take the observed node to the desired configuration. */
  public static List<Action> diff(NodeConfig desired, Observation observed, PlanOptions options) {
    InitStyle init = observed.facts().init();
    List<Action> actions = new ArrayList<>();
    String digest = ConfigDigest.of(desired);
    boolean sameConfigAsBefore = digest.equals(observed.appliedDigest());

    // Repository, package lists, upgrade, packages.
    AptSource apt = desired.aptSource();
    boolean aptChanged = false;
    if (apt != null) {
      String path = aptSourcePath(apt);
      String content = aptSourceContent(apt);
      String seen = observed.wholeDigests().getOrDefault(path, Observation.ABSENT);
      if (!observed.aptKeyPresent() || !seen.equals(Digests.sha256(content))) {
        actions.add(new Action.AddAptSource(apt, path, content));
        aptChanged = true;
      }
    }
    boolean upgrade = desired.upgrade() && !observed.upgraded();
    List<String> missing = new ArrayList<>();
    for (String pkg : desired.packages()) {
      if (!installed(pkg, observed)) {
        missing.add(pkg);
      }
    }
    if (aptChanged || upgrade || !missing.isEmpty()) {
      actions.add(new Action.AptUpdate());
    }
    if (upgrade) {
      actions.add(new Action.Upgrade(UPGRADE_MARKER));
    }
    if (!missing.isEmpty()) {
      actions.add(new Action.InstallPackages(missing));
    }

    // The admin account and its sudo rule.
    PlanOptions.AdminAccount admin = options.admin();
    if (admin != null) {
      if (!observed.adminExists() || !observed.adminKeyAuthorized()) {
        actions.add(new Action.EnsureAdmin(admin));
      }
      if (!"root".equals(admin.user())) {
        addWrite(actions, sudoers(admin), observed, sameConfigAsBefore);
      }
    }

    // Managed files, one action each, in the rendered order.
    Set<String> written = new LinkedHashSet<>();
    boolean hardeningWritten = false;
    boolean hardeningHeldBack = false;
    for (ManagedFile file : desired.files()) {
      boolean differs = !Digests.desired(file).equals(observed.digestOf(file));
      if (!differs) {
        continue;
      }
      if (isHardening(file) && !options.allowHardening()) {
        hardeningHeldBack = true;
        continue;
      }
      addWrite(actions, file, observed, sameConfigAsBefore);
      written.add(file.path());
      hardeningWritten |= isHardening(file);
    }

    // /etc/hostname is read at boot only: the running name is set too, when it is known.
    String running = observed.runningHostname();
    if (!running.isEmpty() && desired.hostname() != null && !running.equals(desired.hostname())) {
      actions.add(new Action.SetHostname(desired.hostname()));
    }

    // The host firewall: loaded when its file changed or the live table is not the one loaded
    // last (flushed, edited by hand, lost on reboot).
    Action.LoadFirewall load = firewallLoad(desired, observed, written, sameConfigAsBefore);
    if (load != null) {
      actions.add(load);
    }

    for (String name : desired.disabledServices()) {
      ServiceState s = observed.service(name);
      // Upstart's boot state is the override file, which is one of the managed files.
      if (s.running() || (init != InitStyle.UPSTART && s.enabled())) {
        actions.add(new Action.DisableService(name, init));
      }
    }

    // Restart what changed, what runs other inputs than it should (a restart an interrupted pass
    // did not make) and start what is down, in the rendered start order; record after each what
    // the service now runs.
    for (String name : desired.services()) {
      List<String> because = new ArrayList<>();
      for (String path : desired.restartTriggers().getOrDefault(name, List.of())) {
        if (written.contains(path)) {
          because.add(path);
        }
      }
      ServiceState state = observed.service(name);
      if (!state.installed() && missing.isEmpty()) {
        // Nothing to start and no package in this plan that could bring it: the caller reports
        // the service as not installed rather than failing every pass on it.
        continue;
      }
      String inputs = ConfigDigest.ofService(desired, name);
      String started = observed.startedWith(name);
      if (because.isEmpty() && state.running() && !inputs.equals(started)) {
        if (started == null && sameConfigAsBefore) {
          // A node converged by an operator that kept no records: its last complete apply was
          // this very configuration, restarts included, so the service runs these inputs.
          actions.add(new Action.RecordStarted(name, STARTED_DIR + name, inputs));
          continue;
        }
        // With packages in this plan the inputs changed with them: say so.
        because.add(
            !missing.isEmpty()
                ? RestartGate.PACKAGES
                : started == null ? NOT_RECORDED : STARTED_OLDER);
      }
      if (!because.isEmpty()) {
        actions.add(new Action.RestartService(name, init, because));
      } else if (!state.running()) {
        actions.add(new Action.StartService(name, init));
      } else {
        continue;
      }
      if (!inputs.equals(started)) {
        actions.add(new Action.RecordStarted(name, STARTED_DIR + name, inputs));
      }
    }
    if (hardeningWritten) {
      actions.add(new Action.ReloadSsh(init));
    }
    if (desired.clockSync()) {
      ServiceState chrony = observed.service(CLOCK_SERVICE);
      if (!chrony.running() || (init != InitStyle.UPSTART && !chrony.enabled())) {
        actions.add(new Action.EnableClockSync(init));
      }
    }
    if (!sameConfigAsBefore && !hardeningHeldBack) {
      actions.add(new Action.RecordDigest(APPLIED_DIGEST, digest));
    }
    return List.copyOf(actions);
  }

  private static Action.LoadFirewall firewallLoad(
      NodeConfig desired, Observation observed, Set<String> written, boolean sameConfig) {
    if (desired.firewall() == null) {
      return null;
    }
    Observation.FirewallState fw = observed.firewall();
    String because;
    if (written.contains(HostFirewall.PATH)) {
      because = "file changed";
    } else if (Observation.ABSENT.equals(fw.liveDigest())) {
      because = "table not loaded";
    } else if (!fw.loadedAsRecorded()) {
      because = "live table drifted";
    } else {
      return null;
    }
    return new Action.LoadFirewall(
        HostFirewall.PATH, because, sameConfig && !written.contains(HostFirewall.PATH));
  }

  /**
   * Why the node's firewall must not be loaded over this session, or null when it may (or the
   * config has none). Checked before anything is applied: a refused pass changes nothing.
   */
  public static String firewallRefusal(NodeConfig desired, Observation observed) {
    if (desired.firewall() == null) {
      return null;
    }
    Observation.FirewallState fw = observed.firewall();
    return desired.firewall().lockoutRefusal(fw.sessionSource(), fw.sessionPort());
  }

  private static void addWrite(
      List<Action> actions, ManagedFile file, Observation observed, boolean sameConfig) {
    String seen = observed.digestOf(file);
    if (Digests.desired(file).equals(seen)) {
      return;
    }
    boolean existed = !Observation.ABSENT.equals(seen);
    actions.add(new Action.WriteFile(file, existed && sameConfig, existed));
  }

  /**
   * Where sshd's effective settings (observed with {@code sshd -T -C} for each login that matters)
   * differ from the hardening; see {@link SshdHardening#violations}. A {@code Match} block or an
   * earlier {@code Include} can re-enable what the managed block turns off.
   */
  public static List<String> sshdNotHardened(Observation observed) {
    return SshdHardening.violations(observed.sshd());
  }

  /** Whether a managed file is the sshd hardening: only written over a verified admin login. */
  public static boolean isHardening(ManagedFile file) {
    return file.path().startsWith("/etc/ssh/sshd_config");
  }

  /** The sudoers drop-in giving the admin (and only the admin) password-less sudo. */
  public static ManagedFile sudoers(PlanOptions.AdminAccount admin) {
    return new ManagedFile(
        PlanOptions.AdminAccount.SUDOERS_PATH,
        admin.user() + " ALL=(ALL) NOPASSWD:ALL\n",
        "0440",
        "root:root",
        ManagedFile.Kind.WHOLE);
  }

  /** Absolute path of the source list file. */
  public static String aptSourcePath(AptSource apt) {
    return apt.path().startsWith("/") ? apt.path() : SOURCES_DIR + apt.path();
  }

  /** Content of the source list file. */
  public static String aptSourceContent(AptSource apt) {
    return apt.line().endsWith("\n") ? apt.line() : apt.line() + "\n";
  }

  /** Package name without a {@code =version} pin. */
  public static String packageName(String pkg) {
    int eq = pkg.indexOf('=');
    return eq < 0 ? pkg : pkg.substring(0, eq);
  }

  private static boolean installed(String pkg, Observation observed) {
    String version = observed.packages().get(packageName(pkg));
    if (version == null || Observation.ABSENT.equals(version)) {
      return false;
    }
    int eq = pkg.indexOf('=');
    return eq < 0 || pkg.substring(eq + 1).equals(version);
  }

  /** The plan as readable text, one action a line, file contents indented below their write. */
  public static String render(List<Action> actions) {
    StringBuilder b = new StringBuilder();
    for (Action a : actions) {
      b.append(a.describe()).append('\n');
      if (a instanceof Action.WriteFile w) {
        for (String line : Digests.onDisk(w.file()).split("\n", -1)) {
          if (!line.isEmpty()) {
            b.append("  | ").append(line).append('\n');
          }
        }
      }
    }
    return b.toString();
  }
}
