package io.mesosoperator.mesos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Marathon's app API over an {@link HttpTransport}: observe with {@code GET /v2/apps} and {@code
 * GET /v2/deployments}, write with {@code PUT /v2/apps/{id}?partialUpdate=false} (idempotent;
 * {@code POST} would answer 409 for an existing id) and {@code DELETE}. Never sends {@code
 * force=true} unless asked: a 409 means another deployment holds the app, to be retried later.
 */
public final class MarathonClient {

  /**
   * @param pollInterval how often a deployment is looked up while it is followed
   */
  public record Settings(Duration pollInterval) {
    public static final Settings DEFAULT = new Settings(Duration.ofSeconds(2));
  }

  /** A running deployment. */
  public record Deployment(String id, List<String> affectedApps) {}

  /** What Marathon has. */
  public record Observed(List<RemoteApp> apps, List<Deployment> deployments) {}

  /** The answer to a write. */
  public sealed interface WriteResult {}

  /**
   * Marathon took the write.
   *
   * @param version the app's new version, or null (deletes)
   * @param deploymentId the deployment that carries it out, or null when none started
   */
  public record Accepted(String version, String deploymentId) implements WriteResult {}

  /**
   * 409: the app is locked by running deployments.
   *
   * @param deployments their ids, as far as Marathon named them
   */
  public record Locked(List<String> deployments, String message) implements WriteResult {}

  /** Any other refusal (400, 422, 5xx...). */
  public record Rejected(int status, String message) implements WriteResult {}

  private final HttpTransport http;
  private final String base;
  private final Settings settings;

  public MarathonClient(HttpTransport http, String baseUrl) {
    this(http, baseUrl, Settings.DEFAULT);
  }

  public MarathonClient(HttpTransport http, String baseUrl, Settings settings) {
    this.http = http;
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.settings = settings;
  }

  /** Two reads: the apps (with their deployments) and the running deployments. */
  public Observed observe() throws IOException {
    HttpTransport.Response apps = http.get(base + "/v2/apps");
    if (!apps.ok()) {
      throw new IOException("GET /v2/apps answered " + apps.status() + ": " + brief(apps));
    }
    List<RemoteApp> remote = new ArrayList<>();
    for (JsonNode a : Json.read(apps.body()).path("apps")) {
      List<String> deployments = new ArrayList<>();
      a.path("deployments").forEach(d -> deployments.add(d.path("id").asText()));
      remote.add(new RemoteApp(a.path("id").asText(), text(a.get("version")), deployments));
    }
    return new Observed(remote, deployments());
  }

  /** {@code GET /v2/deployments}. */
  public List<Deployment> deployments() throws IOException {
    HttpTransport.Response r = http.get(base + "/v2/deployments");
    if (!r.ok()) {
      throw new IOException("GET /v2/deployments answered " + r.status() + ": " + brief(r));
    }
    List<Deployment> out = new ArrayList<>();
    for (JsonNode d : Json.read(r.body())) {
      List<String> affected = new ArrayList<>();
      d.path("affectedApps").forEach(a -> affected.add(a.asText()));
      out.add(new Deployment(d.path("id").asText(), affected));
    }
    return out;
  }

  /** {@code GET /v2/apps/{id}}: its version, or null when Marathon does not have it. */
  public String version(String id) throws IOException {
    HttpTransport.Response r = http.get(base + AppIds.path(id));
    if (r.status() == 404) {
      return null;
    }
    if (!r.ok()) {
      throw new IOException("GET " + AppIds.path(id) + " answered " + r.status());
    }
    return text(Json.read(r.body()).path("app").get("version"));
  }

  /** Creates or replaces the app whole. The id is checked before anything is sent. */
  public WriteResult put(ObjectNode app, boolean force) throws IOException {
    String id = AppIds.absolute(app.path("id").asText(null));
    String url = base + AppIds.path(id) + "?partialUpdate=false" + (force ? "&force=true" : "");
    return result(http.put(url, Json.write(app)));
  }

  /** Deletes the app; an app already gone counts as accepted. */
  public WriteResult delete(String id, boolean force) throws IOException {
    String url = base + AppIds.path(id) + (force ? "?force=true" : "");
    HttpTransport.Response r = http.delete(url);
    if (r.status() == 404) {
      return new Accepted(null, null);
    }
    return result(r);
  }

  /**
   * Waits until the deployment is gone from {@code /v2/deployments}, or the time is up.
   *
   * @return true when it finished, false when it still runs at the deadline
   */
  public boolean await(String deploymentId, long deadlineNanos) throws IOException {
    while (true) {
      boolean running = deployments().stream().anyMatch(d -> d.id().equals(deploymentId));
      if (!running) {
        return true;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        Thread.sleep(Math.min(settings.pollInterval().toMillis(), left / 1_000_000 + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while following deployment " + deploymentId, e);
      }
    }
  }

  private static WriteResult result(HttpTransport.Response r) throws IOException {
    if (r.ok()) {
      JsonNode n = r.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.read(r.body());
      String deployment = text(n.get("deploymentId"));
      if (deployment == null
          && n.path("deployments").isArray()
          && n.path("deployments").size() > 0) {
        deployment = text(n.path("deployments").get(0).get("id"));
      }
      return new Accepted(text(n.get("version")), deployment);
    }
    if (r.status() == 409) {
      List<String> ids = new ArrayList<>();
      String message = "locked by a running deployment";
      try {
        JsonNode n = Json.read(r.body());
        n.path("deployments").forEach(d -> ids.add(d.path("id").asText()));
        if (n.hasNonNull("message")) {
          message = n.get("message").asText();
        }
      } catch (IOException e) {
        // a 409 without a JSON body still means locked
      }
      return new Locked(ids, message);
    }
    return new Rejected(r.status(), brief(r));
  }

  private static String brief(HttpTransport.Response r) {
    String message = r.body();
    try {
      JsonNode n = Json.read(r.body());
      if (n.hasNonNull("message")) {
        message = n.get("message").asText();
      }
    } catch (IOException e) {
      // not JSON: the body itself
    }
    message = message.strip();
    return message.length() > 300 ? message.substring(0, 300) + "..." : message;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() || n.asText().isEmpty() ? null : n.asText();
  }
}
