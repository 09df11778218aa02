package io.mesosoperator.mesos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mesosoperator.api.AppStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Brings Marathon's apps to {@code spec.marathon.apps}: one observation (two GETs), the pure {@link
 * AppPlan}, then only the writes it calls for. Unchanged apps cost no request beyond that read.
 * Deployments are followed until a shared deadline; what still runs then is reported as Deploying
 * and picked up by the next reconcile, never waited for in a loop.
 */
public final class MarathonApps {

  /** Deployment state as {@link AppStatus} spells it. */
  public enum DeploymentState {
    DEPLOYING("Deploying"),
    DEPLOYED("Deployed"),
    FAILED("Failed");

    private final String text;

    DeploymentState(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /**
   * How to reconcile.
   *
   * @param prune delete apps the operator deployed that the spec no longer lists
   * @param force send {@code force=true} (overrides a running deployment); only when the user asks
   * @param deploymentTimeout how long one reconcile follows deployments in total
   */
  public record Options(boolean prune, boolean force, Duration deploymentTimeout) {
    public static Options defaults(boolean prune) {
      return new Options(prune, false, Duration.ofSeconds(60));
    }
  }

  /**
   * One app's state after the reconcile.
   *
   * @param id absolute app id
   * @param digest digest of the definition Marathon accepted last (the previous one when this write
   *     was refused, so the next reconcile retries), or null
   * @param version Marathon's version of the app, or null
   * @param deployment its deployment state
   * @param message what happened, for people
   */
  public record AppResult(
      String id, String digest, String version, DeploymentState deployment, String message) {
    public AppStatus toStatus() {
      AppStatus s = new AppStatus();
      s.setId(id);
      s.setDigest(digest);
      s.setVersion(version);
      s.setDeployment(deployment.text());
      return s;
    }
  }

  /**
   * The result of one reconcile.
   *
   * @param apps the apps to list in status: the spec's, then ones kept for a later prune
   * @param deleted ids deleted from Marathon
   * @param writes PUT and DELETE requests sent
   */
  public record Outcome(List<AppResult> apps, List<String> deleted, int writes) {
    /** digest per app id, the input {@link AppPlan} wants next time. */
    public Map<String, String> digests() {
      Map<String, String> m = new TreeMap<>();
      apps.forEach(
          a -> {
            if (a.digest() != null) {
              m.put(a.id(), a.digest());
            }
          });
      return m;
    }
  }

  private final MarathonClient client;

  public MarathonApps(MarathonClient client) {
    this.client = client;
  }

  /**
   * Reconciles the apps.
   *
   * @param desired {@code spec.marathon.apps}
   * @param lastApplied digest per app id, from status (the apps the operator deployed)
   * @throws IOException Marathon could not be observed; nothing was written
   */
  public Outcome reconcile(
      List<ObjectNode> desired, Map<String, String> lastApplied, Options options)
      throws IOException {
    MarathonClient.Observed observed = client.observe();
    List<AppAction> actions = AppPlan.plan(desired, lastApplied, observed.apps(), options.prune());
    Map<String, String> last = new HashMap<>();
    lastApplied.forEach(
        (id, d) -> {
          if (AppIds.valid(id)) {
            last.put(AppIds.absolute(id), d);
          }
        });
    Map<String, RemoteApp> remote = new HashMap<>();
    observed.apps().forEach(a -> remote.put(a.id(), a));
    Map<String, AppAction> byId = new HashMap<>();
    actions.forEach(a -> byId.put(a.id(), a));
    long deadline = System.nanoTime() + options.deploymentTimeout().toNanos();

    List<AppResult> results = new ArrayList<>();
    Set<String> listed = new HashSet<>();
    int writes = 0;
    for (ObjectNode spec : desired) {
      String id = AppPlan.definition(spec).get("id").asText();
      listed.add(id);
      if (byId.get(id) instanceof AppAction.Put put) {
        writes++;
        results.add(put(put, last.get(id), remote.get(id), options.force(), deadline));
      } else {
        results.add(observedState(id, last.get(id), remote.get(id), observed, "unchanged"));
      }
    }

    List<String> deleted = new ArrayList<>();
    for (AppAction a : actions) {
      if (a instanceof AppAction.Delete del) {
        writes++;
        listed.add(del.id());
        AppResult kept = delete(del.id(), last.get(del.id()), remote.get(del.id()), options);
        if (kept == null) {
          deleted.add(del.id());
        } else {
          results.add(kept);
        }
      }
    }
    // Deployed by the operator, gone from the spec, still in Marathon: remembered so that turning
    // pruneApps on later can still remove them.
    for (String id : new TreeMap<>(last).keySet()) {
      if (!listed.contains(id) && remote.containsKey(id)) {
        results.add(
            observedState(
                id, last.get(id), remote.get(id), observed, "no longer in spec; pruneApps is off"));
      }
    }
    return new Outcome(List.copyOf(results), List.copyOf(deleted), writes);
  }

  private AppResult put(
      AppAction.Put put, String previous, RemoteApp remote, boolean force, long deadline) {
    String oldVersion = remote == null ? null : remote.version();
    MarathonClient.WriteResult r;
    try {
      r = client.put(put.app(), force);
    } catch (IOException e) {
      return new AppResult(
          put.id(), previous, oldVersion, DeploymentState.FAILED, "PUT failed: " + e.getMessage());
    }
    if (r instanceof MarathonClient.Locked locked) {
      return new AppResult(
          put.id(),
          previous,
          oldVersion,
          DeploymentState.DEPLOYING,
          "another deployment is running " + locked.deployments() + "; will retry");
    }
    if (r instanceof MarathonClient.Rejected rejected) {
      return new AppResult(
          put.id(),
          previous,
          oldVersion,
          DeploymentState.FAILED,
          "Marathon refused the app (" + rejected.status() + "): " + rejected.message());
    }
    MarathonClient.Accepted ok = (MarathonClient.Accepted) r;
    if (ok.deploymentId() == null) {
      return new AppResult(
          put.id(), put.digest(), ok.version(), DeploymentState.DEPLOYED, put.reason());
    }
    try {
      boolean done = client.await(ok.deploymentId(), deadline);
      return new AppResult(
          put.id(),
          put.digest(),
          ok.version(),
          done ? DeploymentState.DEPLOYED : DeploymentState.DEPLOYING,
          put.reason() + (done ? "; deployed" : "; deployment " + ok.deploymentId() + " running"));
    } catch (IOException e) {
      return new AppResult(
          put.id(),
          put.digest(),
          ok.version(),
          DeploymentState.DEPLOYING,
          "deployment " + ok.deploymentId() + " could not be followed: " + e.getMessage());
    }
  }

  /** Null when the app is gone; else what to keep in status so the delete is retried. */
  private AppResult delete(String id, String previous, RemoteApp remote, Options options) {
    String version = remote == null ? null : remote.version();
    try {
      MarathonClient.WriteResult r = client.delete(id, options.force());
      if (r instanceof MarathonClient.Accepted) {
        return null;
      }
      if (r instanceof MarathonClient.Locked) {
        return new AppResult(
            id, previous, version, DeploymentState.DEPLOYING, "delete waits for a deployment");
      }
      return new AppResult(
          id,
          previous,
          version,
          DeploymentState.FAILED,
          "Marathon refused the delete (" + ((MarathonClient.Rejected) r).status() + ")");
    } catch (IOException e) {
      return new AppResult(
          id, previous, version, DeploymentState.FAILED, "DELETE failed: " + e.getMessage());
    }
  }

  private static AppResult observedState(
      String id,
      String digest,
      RemoteApp remote,
      MarathonClient.Observed observed,
      String message) {
    boolean deploying =
        remote != null
            && (!remote.deployments().isEmpty()
                || observed.deployments().stream().anyMatch(d -> d.affectedApps().contains(id)));
    return new AppResult(
        id,
        digest,
        remote == null ? null : remote.version(),
        deploying ? DeploymentState.DEPLOYING : DeploymentState.DEPLOYED,
        message);
  }
}
