package io.mesosoperator.mesos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The Marathon leader one instance names, from {@code GET /v2/leader}.
 *
 * @param leader {@code host:port} of the leader, or null when there is none
 * @param error why the instance could not be asked, or null
 */
public record MarathonLeader(String leader, String error) {

  public static MarathonLeader unreachable(String error) {
    return new MarathonLeader(null, error);
  }

  public boolean reachable() {
    return error == null;
  }

  /** Asks the instance at {@code baseUrl} (like {@code http://127.0.0.1:8080}); never throws. */
  public static MarathonLeader probe(HttpTransport http, String baseUrl) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    try {
      return parse(http.get(base + "/v2/leader"));
    } catch (IOException e) {
      return unreachable(base + ": " + e.getMessage());
    }
  }

  /** 200 {@code {"leader":"10.0.0.1:8080"}}; 404 means no leader is elected. */
  public static MarathonLeader parse(HttpTransport.Response r) throws IOException {
    if (r.status() == 404) {
      return new MarathonLeader(null, null);
    }
    if (!r.ok()) {
      throw new IOException("/v2/leader answered " + r.status());
    }
    JsonNode leader = Json.read(r.body()).get("leader");
    if (leader == null || !leader.isTextual() || leader.asText().isBlank()) {
      throw new IOException("/v2/leader answer has no leader");
    }
    return new MarathonLeader(leader.asText(), null);
  }
}
