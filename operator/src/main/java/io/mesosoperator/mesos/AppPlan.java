package io.mesosoperator.mesos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Pure: which Marathon writes bring the apps to the spec. No I/O. */
public final class AppPlan {
  private AppPlan() {}

  /**
   * The writes, puts in spec order then deletes by id.
   *
   * @param desired the spec's app definitions (each with a valid id; validated earlier)
   * @param lastApplied digest last sent per app id (from status): the apps the operator deployed
   * @param observed the apps Marathon has
   * @param prune delete apps in {@code lastApplied} that the spec no longer lists
   * @return a Put for each app missing in Marathon or whose digest differs from the one recorded; a
   *     Delete (when pruning) for each app the operator deployed, the spec dropped and Marathon
   *     still has; apps the operator never deployed are never deleted
   */
  public static List<AppAction> plan(
      List<ObjectNode> desired,
      Map<String, String> lastApplied,
      List<RemoteApp> observed,
      boolean prune) {
    Map<String, String> last = normalized(lastApplied);
    Set<String> present = new HashSet<>();
    for (RemoteApp app : observed) {
      if (AppIds.valid(app.id())) {
        present.add(AppIds.absolute(app.id()));
      }
    }
    List<AppAction> actions = new ArrayList<>();
    Set<String> wanted = new HashSet<>();
    for (ObjectNode spec : desired) {
      ObjectNode app = definition(spec);
      String id = app.get("id").asText();
      if (!wanted.add(id)) {
        throw new IllegalArgumentException("duplicate app id " + id);
      }
      String digest = AppDigest.of(app);
      if (!present.contains(id)) {
        actions.add(new AppAction.Put(id, app, digest, "Missing"));
      } else if (!digest.equals(last.get(id))) {
        actions.add(new AppAction.Put(id, app, digest, "Changed"));
      }
    }
    if (prune) {
      for (String id : last.keySet()) {
        if (!wanted.contains(id) && present.contains(id)) {
          actions.add(new AppAction.Delete(id));
        }
      }
    }
    return actions;
  }

  /** The definition as sent: a copy of the spec app with its id made absolute. */
  public static ObjectNode definition(ObjectNode spec) {
    JsonNode id = spec.get("id");
    if (id == null || !id.isTextual()) {
      throw new IllegalArgumentException("a Marathon app needs a string id");
    }
    ObjectNode app = spec.deepCopy();
    app.put("id", AppIds.absolute(id.asText()));
    return app;
  }

  private static Map<String, String> normalized(Map<String, String> lastApplied) {
    Map<String, String> m = new TreeMap<>();
    if (lastApplied != null) {
      lastApplied.forEach(
          (id, digest) -> {
            if (AppIds.valid(id) && digest != null) {
              m.put(AppIds.absolute(id), digest);
            }
          });
    }
    return m;
  }
}
