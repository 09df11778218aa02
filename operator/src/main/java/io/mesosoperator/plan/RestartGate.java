package io.mesosoperator.plan;

import io.mesosoperator.api.RoleType;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.NodeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Pure: whether a node plan may run now, or must wait for the node's restart turn, and the restarts
 * a granted turn adds.
 *
 * <p>A plan is <em>disruptive</em> on a node that was converged before (it recorded an applied
 * digest) when it restarts a running service for a changed file or because the service runs older
 * inputs than its files say (a restart an interrupted pass did not make), or installs packages
 * while services run (new binaries only take effect on a restart, which the turn then adds). A
 * disruptive plan is held whole while restarts are held: nothing is written, so no file sits
 * changed without its restart. A node's first configuration is never held; the repair of drifted
 * files is held on masters only (restarting every master at once for a file edited on all of them
 * is an outage), agents repair at once.
 */
public final class RestartGate {
  /** The {@code because} of a restart that has no changed file behind it. */
  public static final String REQUESTED = "restart requested";

  /** The {@code because} of a restart that makes newly installed packages take effect. */
  public static final String PACKAGES = "packages changed";

  private RestartGate() {}

  /** The answer: hold (with what waits) or run these actions. */
  public sealed interface Decision {}

  /**
   * The plan waits for the node's turn.
   *
   * @param waiting what it would do, one line each
   */
  public record Hold(List<String> waiting) implements Decision {
    public Hold {
      waiting = List.copyOf(waiting);
    }
  }

  /** Run these actions now. */
  public record Run(List<Action> actions) implements Decision {
    public Run {
      actions = List.copyOf(actions);
    }
  }

  /**
   * Gates a node plan.
   *
   * @param config the node's desired configuration
   * @param observed what the node reported before the plan
   * @param plan {@link NodePlan#diff} of the two
   * @param held restarts are held: the node has no turn
   * @param restartAll a requested restart: restart every running managed service once (only with a
   *     turn)
   */
  public static Decision gate(
      NodeConfig config,
      Observation observed,
      List<Action> plan,
      boolean held,
      boolean restartAll) {
    boolean established = !observed.appliedDigest().isEmpty();
    boolean packagesChanged =
        established
            && runningManaged(config, observed).size() > 0
            && plan.stream().anyMatch(a -> a instanceof Action.InstallPackages);
    List<String> disruptive = new ArrayList<>();
    for (Action a : plan) {
      if (a instanceof Action.RestartService r
          && established
          && observed.service(r.name()).running()
          && (config.roleType() == RoleType.MASTER || !restoresOnly(r, plan))) {
        disruptive.add(a.describe());
      } else if (a instanceof Action.InstallPackages && packagesChanged) {
        disruptive.add(a.describe());
      }
    }
    if (held) {
      return disruptive.isEmpty() ? new Run(plan) : new Hold(disruptive);
    }
    if (!restartAll && !packagesChanged) {
      return new Run(plan);
    }
    return new Run(withRestarts(config, observed, plan, restartAll ? REQUESTED : PACKAGES));
  }

  /** The managed services (those with restart triggers) that run on the node. */
  static List<String> runningManaged(NodeConfig config, Observation observed) {
    Set<String> managed = config.restartTriggers().keySet();
    return config.services().stream()
        .filter(managed::contains)
        .filter(s -> observed.service(s).running())
        .toList();
  }

  /** Whether every file behind a restart is only restored after drift (same configuration). */
  private static boolean restoresOnly(Action.RestartService r, List<Action> plan) {
    for (String path : r.because()) {
      boolean restored =
          plan.stream()
              .anyMatch(
                  a ->
                      a instanceof Action.WriteFile w
                          && w.file().path().equals(path)
                          && w.restore());
      if (!restored) {
        return false;
      }
    }
    return true;
  }

  /**
   * The plan with a restart of every running managed service that it does not restart already, in
   * the rendered service order, where NodePlan puts restarts: after the files, before the sshd
   * reload, clock sync and the digest record.
   */
  private static List<Action> withRestarts(
      NodeConfig config, Observation observed, List<Action> plan, String why) {
    InitStyle init = observed.facts().init();
    List<String> extra = runningManaged(config, observed);
    List<Action> out = new ArrayList<>();
    List<Action> services = new ArrayList<>();
    int at = -1;
    for (Action a : plan) {
      boolean service =
          (a instanceof Action.RestartService r && config.services().contains(r.name()))
              || (a instanceof Action.StartService s && config.services().contains(s.name()))
              || (a instanceof Action.RecordStarted rs && config.services().contains(rs.service()));
      boolean tail =
          a instanceof Action.ReloadSsh
              || a instanceof Action.EnableClockSync
              || a instanceof Action.RecordDigest;
      if (service) {
        if (at < 0) {
          at = out.size();
        }
        services.add(a);
      } else {
        if (tail && at < 0) {
          at = out.size();
        }
        out.add(a);
      }
    }
    if (at < 0) {
      at = out.size();
    }
    List<Action> ordered = new ArrayList<>();
    for (String name : config.services()) {
      Action existing =
          services.stream()
              .filter(a -> !(a instanceof Action.RecordStarted))
              .filter(a -> name.equals(serviceOf(a)))
              .findFirst()
              .orElse(null);
      if (existing != null) {
        ordered.add(existing);
      } else if (extra.contains(name)) {
        ordered.add(new Action.RestartService(name, init, List.of(why)));
      }
      // The service's record follows its (re)start: written only once that succeeded.
      services.stream()
          .filter(a -> a instanceof Action.RecordStarted rs && rs.service().equals(name))
          .forEach(ordered::add);
    }
    out.addAll(at, ordered);
    return out;
  }

  private static String serviceOf(Action a) {
    if (a instanceof Action.RestartService r) {
      return r.name();
    }
    if (a instanceof Action.StartService s) {
      return s.name();
    }
    if (a instanceof Action.RecordStarted r) {
      return r.service();
    }
    return null;
  }
}
