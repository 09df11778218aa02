package io.mesosoperator.node;

import io.mesosoperator.plan.Action;
import io.mesosoperator.plan.Digests;
import io.mesosoperator.plan.NodePlan;
import io.mesosoperator.plan.Observation;
import io.mesosoperator.plan.Observation.ServiceState;
import io.mesosoperator.plan.PlanOptions.AdminAccount;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The remote scripts: a fixed template from {@code resources/node/} plus one line per item whose
 * every argument goes through {@link Shell#quote}; file contents travel base64-encoded. Output is a
 * {@code key<TAB>value} line protocol parsed here.
 */
public final class RemoteScripts {
  private static final String COMMON = resource("common.sh");
  private static final String OBSERVE = resource("observe.sh");
  private static final String APPLY = resource("apply.sh");
  private static final String FIREWALL = resource("firewall.sh");

  private RemoteScripts() {}

  /** A managed path and whether the operator owns a block in it or all of it. */
  public record FileRef(String path, boolean block) {}

  /**
   * What one observe pass asks the node about.
   *
   * @param files files to digest
   * @param packages package names (without version pins)
   * @param services services to check
   * @param aptKeyId repository key id, or null
   * @param admin admin account, or null
   * @param started services (among {@code services}) whose start record to read
   */
  public record ObserveSpec(
      List<FileRef> files,
      List<String> packages,
      List<String> services,
      String aptKeyId,
      AdminAccount admin,
      List<String> started) {

    public ObserveSpec {
      files = List.copyOf(files);
      packages = List.copyOf(packages);
      services = List.copyOf(services);
      started = List.copyOf(started);
      if (!services.containsAll(started)) {
        throw new IllegalArgumentException("start records are read for checked services only");
      }
    }

    /** Without start records. */
    public ObserveSpec(
        List<FileRef> files,
        List<String> packages,
        List<String> services,
        String aptKeyId,
        AdminAccount admin) {
      this(files, packages, services, aptKeyId, admin, List.of());
    }

    /** The union of what the given configurations need. */
    public static ObserveSpec of(Collection<NodeConfig> configs, AdminAccount admin) {
      Set<FileRef> files = new LinkedHashSet<>();
      Set<String> packages = new LinkedHashSet<>();
      Set<String> services = new LinkedHashSet<>();
      Set<String> started = new LinkedHashSet<>();
      String keyId = null;
      for (NodeConfig c : configs) {
        if (c.aptSource() != null) {
          files.add(new FileRef(NodePlan.aptSourcePath(c.aptSource()), false));
          keyId = keyId == null ? c.aptSource().keyId() : keyId;
        }
        if (admin != null && !"root".equals(admin.user())) {
          files.add(new FileRef(AdminAccount.SUDOERS_PATH, false));
        }
        for (ManagedFile f : c.files()) {
          files.add(new FileRef(f.path(), f.kind() != ManagedFile.Kind.WHOLE));
        }
        c.packages().forEach(p -> packages.add(NodePlan.packageName(p)));
        services.addAll(c.services());
        started.addAll(c.services());
        services.addAll(c.disabledServices());
        if (c.clockSync()) {
          services.add(NodePlan.CLOCK_SERVICE);
        }
      }
      return new ObserveSpec(
          List.copyOf(files),
          List.copyOf(packages),
          List.copyOf(services),
          keyId,
          admin,
          List.copyOf(started));
    }

    /** Whether this observation answers everything {@code other} asks. */
    public boolean covers(ObserveSpec other) {
      return files.containsAll(other.files)
          && packages.containsAll(other.packages)
          && services.containsAll(other.services)
          && started.containsAll(other.started)
          && (other.aptKeyId == null || other.aptKeyId.equals(aptKeyId))
          && Objects.equals(admin, other.admin);
    }
  }

  /** The single read-only script that reports everything the plan needs. */
  public static String observe(ObserveSpec spec) {
    StringBuilder b = new StringBuilder(COMMON).append('\n').append(OBSERVE).append('\n');
    b.append(FIREWALL).append('\n');
    b.append("facts\n");
    // Whole files are digested by one sha256sum; files with a managed block one by one.
    List<Object> whole = new ArrayList<>();
    for (int i = 0; i < spec.files().size(); i++) {
      FileRef f = spec.files().get(i);
      if (f.block()) {
        b.append("obs_block ").append(Shell.words(i, f.path())).append('\n');
      } else {
        whole.add(i);
        whole.add(f.path());
      }
    }
    if (!whole.isEmpty()) {
      b.append("obs_whole ").append(Shell.words(whole.toArray())).append('\n');
    }
    for (int i = 0; i < spec.packages().size(); i++) {
      b.append("obs_pkg ").append(Shell.words(i, spec.packages().get(i))).append('\n');
    }
    for (int i = 0; i < spec.services().size(); i++) {
      b.append("obs_svc ").append(Shell.words(i, spec.services().get(i))).append('\n');
    }
    if (!spec.started().isEmpty()) {
      List<Object> started = new ArrayList<>();
      for (String service : spec.started()) {
        started.add(spec.services().indexOf(service));
        started.add(service);
      }
      b.append("obs_started ").append(Shell.words(started.toArray())).append('\n');
    }
    if (spec.aptKeyId() != null) {
      b.append("obs_aptkey ").append(Shell.quote(spec.aptKeyId())).append('\n');
    }
    if (spec.admin() != null) {
      b.append("obs_admin ")
          .append(Shell.words(spec.admin().user(), base64(spec.admin().keyMatch())))
          .append('\n');
    }
    // sshd's effective settings are asked for the admin's login (root when none is known).
    b.append("obs_misc ")
        .append(Shell.quote(spec.admin() == null ? "root" : spec.admin().user()))
        .append('\n');
    b.append("obs_firewall\n");
    return b.toString();
  }

  /** Parses {@link #observe} output; fails when the facts lines are missing. */
  public static Observation parseObservation(String stdout, ObserveSpec spec) throws IOException {
    Map<String, String> kv = lines(stdout);
    if (!kv.containsKey("init")) {
      throw new IOException("the observe script returned no facts");
    }
    NodeFacts facts =
        new NodeFacts(kv.getOrDefault("distro", ""), kv.getOrDefault("codename", ""), init(kv));
    Map<String, String> whole = new HashMap<>();
    Map<String, String> block = new HashMap<>();
    for (int i = 0; i < spec.files().size(); i++) {
      FileRef f = spec.files().get(i);
      String digest = kv.getOrDefault("file." + i, Observation.ABSENT);
      (f.block() ? block : whole).put(f.path(), digest.isEmpty() ? Observation.ABSENT : digest);
    }
    Map<String, String> packages = new HashMap<>();
    for (int i = 0; i < spec.packages().size(); i++) {
      String v = kv.getOrDefault("pkg." + i, Observation.ABSENT);
      if (!Observation.ABSENT.equals(v)) {
        packages.put(spec.packages().get(i), v);
      }
    }
    Map<String, ServiceState> services = new HashMap<>();
    for (int i = 0; i < spec.services().size(); i++) {
      services.put(
          spec.services().get(i),
          new ServiceState(
              "1".equals(kv.get("svc.run." + i)),
              "1".equals(kv.get("svc.en." + i)),
              !"0".equals(kv.get("svc.has." + i))));
    }
    Map<String, String> started = new HashMap<>();
    for (String service : spec.started()) {
      String digest = kv.get("started." + spec.services().indexOf(service));
      if (digest != null) {
        started.put(service, digest);
      }
    }
    Map<String, String> sshd = new LinkedHashMap<>();
    kv.forEach(
        (k, v) -> {
          if (k.startsWith("sshd.") && !v.isEmpty()) {
            sshd.put(k.substring(5), v);
          }
        });
    return new Observation(
        facts,
        whole,
        block,
        packages,
        services,
        "1".equals(kv.get("aptkey")),
        "1".equals(kv.get("upgraded")),
        "1".equals(kv.get("admin.exists")),
        "1".equals(kv.get("admin.key")),
        sshd,
        kv.get("clock"),
        kv.get("applied"),
        started,
        kv.get("hostname"),
        new Observation.FirewallState(
            kv.get("fw.client"),
            port(kv.get("fw.port")),
            kv.get("fw.live"),
            kv.get("fw.recorded")));
  }

  private static int port(String text) {
    try {
      int p = text == null ? 0 : Integer.parseInt(text);
      return p > 0 && p < 65536 ? p : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static InitStyle init(Map<String, String> kv) {
    try {
      return InitStyle.valueOf(kv.get("init").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return InitStyle.SYSVINIT;
    }
  }

  /** One script for the whole plan, {@code set -e}, ending with the status of {@code services}. */
  public static String apply(InitStyle init, List<Action> actions, List<String> services) {
    // One brace group: the shell parses all of it before running any of it, so a script cut short
    // by a dropped connection is a syntax error that runs nothing, never a call with an argument
    // missing (write_whole without its content would write an empty file).
    StringBuilder b = new StringBuilder("{\n").append(COMMON).append('\n').append(APPLY);
    b.append('\n').append(FIREWALL).append('\n');
    b.append("INIT=").append(Shell.quote(initName(init))).append('\n');
    for (int i = 0; i < actions.size(); i++) {
      b.append(call(actions.get(i))).append('\n');
      b.append("step ").append(i).append('\n');
    }
    b.append(reportLine(services));
    return b.append("}\n").toString();
  }

  /** A read-only script reporting whether each service answers. */
  public static String status(InitStyle init, List<String> services) {
    return COMMON
        + "\nexec 3>&1\nINIT="
        + Shell.quote(initName(init))
        + "\n"
        + reportLine(services);
  }

  private static String reportLine(List<String> services) {
    return services.isEmpty() ? "" : "report_services " + Shell.words(services.toArray()) + "\n";
  }

  private static String call(Action action) {
    if (action instanceof Action.AddAptSource a) {
      return "apt_source "
          + Shell.words(a.path(), base64(a.content()), a.source().keyServer(), a.source().keyId());
    } else if (action instanceof Action.AptUpdate) {
      return "apt_update";
    } else if (action instanceof Action.Upgrade u) {
      return "upgrade " + Shell.quote(u.marker());
    } else if (action instanceof Action.InstallPackages p) {
      return "install_pkgs " + Shell.words(p.packages().toArray());
    } else if (action instanceof Action.EnsureAdmin a) {
      return "ensure_admin " + Shell.words(a.admin().user(), base64(a.admin().publicKey().trim()));
    } else if (action instanceof Action.WriteFile w) {
      return writeCall(w.file());
    } else if (action instanceof Action.LoadFirewall f) {
      return "fw_load " + Shell.quote(f.path());
    } else if (action instanceof Action.DisableService d) {
      return "svc_disable " + Shell.quote(d.name());
    } else if (action instanceof Action.RestartService r) {
      return "svc_restart " + Shell.quote(r.name());
    } else if (action instanceof Action.StartService st) {
      return "svc_start " + Shell.quote(st.name());
    } else if (action instanceof Action.ReloadSsh) {
      return "ssh_reload";
    } else if (action instanceof Action.EnableClockSync) {
      return "clock_enable";
    } else if (action instanceof Action.SetHostname h) {
      return "set_hostname " + Shell.quote(h.name());
    } else if (action instanceof Action.RecordStarted r) {
      return "record_started " + Shell.words(r.service(), r.path(), r.digest());
    } else if (action instanceof Action.RecordDigest d) {
      return "record_digest " + Shell.words(d.path(), d.digest());
    }
    throw new IllegalArgumentException("unknown action " + action.getClass());
  }

  private static String writeCall(ManagedFile f) {
    String body = base64(Digests.onDisk(f));
    return switch (f.kind()) {
      case WHOLE -> "write_whole " + Shell.words(f.path(), f.mode(), f.owner(), body);
      case BLOCK_START ->
          "write_block " + Shell.words(f.path(), f.mode(), f.owner(), "start", body);
      case BLOCK_END -> "write_block " + Shell.words(f.path(), f.mode(), f.owner(), "end", body);
    };
  }

  /**
   * What an apply or status script reported.
   *
   * @param done indexes of the actions that completed
   * @param skipped indexes of start/restart actions skipped because the service is not installed
   * @param running for each reported service index, whether it answers
   * @param missing reported service indexes that have no init script or unit on the node
   * @param log tail of the node's log when the script failed
   */
  public record ApplyReport(
      Set<Integer> done,
      Set<Integer> skipped,
      Map<Integer, Boolean> running,
      Set<Integer> missing,
      List<String> log) {}

  /** Parses the output of {@link #apply} or {@link #status}. */
  public static ApplyReport parseApply(String stdout) {
    Set<Integer> done = new LinkedHashSet<>();
    Set<Integer> skipped = new LinkedHashSet<>();
    Set<Integer> missing = new LinkedHashSet<>();
    Map<Integer, Boolean> running = new HashMap<>();
    List<String> log = new ArrayList<>();
    for (String line : stdout.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab < 0) {
        continue;
      }
      String key = line.substring(0, tab);
      String value = line.substring(tab + 1);
      if (key.startsWith("done.")) {
        done.add(Integer.parseInt(key.substring(5)));
      } else if (key.startsWith("skipped.")) {
        skipped.add(Integer.parseInt(key.substring(8)));
      } else if (key.startsWith("missing.")) {
        missing.add(Integer.parseInt(key.substring(8)));
      } else if (key.startsWith("status.")) {
        running.put(Integer.parseInt(key.substring(7)), "1".equals(value));
      } else if (key.equals("log")) {
        log.add(value);
      }
    }
    return new ApplyReport(done, skipped, running, missing, log);
  }

  /**
   * Whether an observe or apply script found another pass holding the node's apply lock (and so
   * looked at or changed nothing). Returns the seconds it waited, or -1 when it was not busy.
   */
  public static int busyWaited(String stdout) {
    String v = lines(stdout).get("busy");
    if (v == null) {
      return -1;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Map<String, String> lines(String stdout) {
    Map<String, String> kv = new HashMap<>();
    for (String line : stdout.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        kv.put(line.substring(0, tab), line.substring(tab + 1));
      }
    }
    return kv;
  }

  private static String initName(InitStyle init) {
    return init.name().toLowerCase(Locale.ROOT);
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String resource(String name) {
    try (InputStream in = RemoteScripts.class.getResourceAsStream("/node/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource /node/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
