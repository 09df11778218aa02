package io.mesosoperator.mesos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Marathon's REST API, in test code only (no Marathon binary can be installed here).
 * It speaks the documented endpoints: GET/PUT/DELETE /v2/apps/{id}, GET /v2/apps, GET
 * /v2/deployments, GET /v2/leader. A PUT or DELETE starts a deployment that disappears after {@link
 * #pollsPerDeployment} reads of /v2/deployments. An app with a running deployment is locked: writes
 * to it answer 409, as Marathon does, unless force=true.
 */
final class FakeMarathon extends FakeHttp {
  final Map<String, ObjectNode> apps = new LinkedHashMap<>();
  final Map<String, String> versions = new LinkedHashMap<>();

  /** deployment id → [app id, reads of /v2/deployments left]. */
  final Map<String, Object[]> deployments = new LinkedHashMap<>();

  volatile int pollsPerDeployment = 2;
  volatile String leader = "10.0.0.1:8080";
  private final AtomicInteger counter = new AtomicInteger();

  FakeMarathon() throws IOException {
    super();
  }

  /** An app someone else created (not the operator). */
  synchronized void seed(String id, String json) throws IOException {
    apps.put(id, (ObjectNode) Json.read(json));
    versions.put(id, nextVersion());
  }

  /** A deployment started by someone else that locks {@code id} until released. */
  synchronized String lock(String id) {
    String dep = "external-" + counter.incrementAndGet();
    deployments.put(dep, new Object[] {id, Integer.MAX_VALUE});
    return dep;
  }

  synchronized void release(String deployment) {
    deployments.remove(deployment);
  }

  long puts() {
    return requests.stream().filter(r -> r.startsWith("PUT ")).count();
  }

  long deletes() {
    return requests.stream().filter(r -> r.startsWith("DELETE ")).count();
  }

  private String nextVersion() {
    return String.format("2024-01-01T00:00:%02d.000Z", counter.incrementAndGet() % 60);
  }

  private boolean locked(String id) {
    return deployments.values().stream().anyMatch(d -> d[0].equals(id));
  }

  @Override
  synchronized void handle(HttpExchange ex, String method, String path, String query, String body)
      throws IOException {
    if (path.equals("/v2/leader") && method.equals("GET")) {
      if (leader == null) {
        respond(ex, 404, "{\"message\":\"There is no leader\"}");
      } else {
        respond(ex, 200, "{\"leader\":\"" + leader + "\"}");
      }
      return;
    }
    if (path.equals("/v2/deployments") && method.equals("GET")) {
      ArrayNode out = Json.MAPPER.createArrayNode();
      deployments.forEach(
          (id, d) -> {
            ObjectNode o = out.addObject();
            o.put("id", id);
            o.putArray("affectedApps").add((String) d[0]);
            o.put("version", "v");
          });
      deployments
          .entrySet()
          .removeIf(e -> ((Integer) (e.getValue()[1] = (Integer) e.getValue()[1] - 1)) <= 0);
      respond(ex, 200, Json.write(out));
      return;
    }
    if (path.equals("/v2/apps") && method.equals("GET")) {
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode list = out.putArray("apps");
      apps.forEach((id, app) -> list.add(view(id, app)));
      respond(ex, 200, Json.write(out));
      return;
    }
    if (!path.startsWith("/v2/apps/")) {
      respond(ex, 404, "{\"message\":\"not found\"}");
      return;
    }
    String id = path.substring("/v2/apps".length());
    boolean force = query != null && query.contains("force=true");
    switch (method) {
      case "GET" -> {
        if (!apps.containsKey(id)) {
          respond(ex, 404, "{\"message\":\"App '" + id + "' does not exist\"}");
        } else {
          ObjectNode out = Json.MAPPER.createObjectNode();
          out.set("app", view(id, apps.get(id)));
          respond(ex, 200, Json.write(out));
        }
      }
      case "PUT" -> {
        if (locked(id) && !force) {
          String dep =
              deployments.entrySet().stream()
                  .filter(e -> e.getValue()[0].equals(id))
                  .findFirst()
                  .orElseThrow()
                  .getKey();
          respond(
              ex,
              409,
              "{\"message\":\"App is locked by one or more deployments.\",\"deployments\":[{\"id\":\""
                  + dep
                  + "\"}]}");
          return;
        }
        JsonNode app = Json.read(body);
        if (!app.path("id").asText().equals(id)) {
          respond(ex, 422, "{\"message\":\"id in body does not match the path\"}");
          return;
        }
        if (app.has("cpus") && app.get("cpus").asDouble() <= 0) {
          respond(ex, 422, "{\"message\":\"Object is not valid\",\"details\":[]}");
          return;
        }
        boolean created = !apps.containsKey(id);
        apps.put(id, (ObjectNode) app);
        String version = nextVersion();
        versions.put(id, version);
        String dep = "dep-" + counter.incrementAndGet();
        deployments.put(dep, new Object[] {id, pollsPerDeployment});
        respond(
            ex,
            created ? 201 : 200,
            "{\"version\":\"" + version + "\",\"deploymentId\":\"" + dep + "\"}");
      }
      case "DELETE" -> {
        if (!apps.containsKey(id)) {
          respond(ex, 404, "{\"message\":\"App '" + id + "' does not exist\"}");
          return;
        }
        if (locked(id) && !force) {
          respond(ex, 409, "{\"message\":\"App is locked\",\"deployments\":[]}");
          return;
        }
        apps.remove(id);
        versions.remove(id);
        String dep = "dep-" + counter.incrementAndGet();
        respond(
            ex, 200, "{\"version\":\"" + nextVersion() + "\",\"deploymentId\":\"" + dep + "\"}");
      }
      default -> respond(ex, 405, "{\"message\":\"method not allowed\"}");
    }
  }

  private ObjectNode view(String id, ObjectNode app) {
    ObjectNode v = app.deepCopy();
    v.put("version", versions.get(id));
    v.put("tasksRunning", 0);
    ArrayNode deps = v.putArray("deployments");
    deployments.forEach(
        (dep, d) -> {
          if (d[0].equals(id)) {
            deps.addObject().put("id", dep);
          }
        });
    return v;
  }
}
