package io.mesosoperator.mesos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;

/**
 * What one Mesos master said, from {@code /master/redirect} and {@code /metrics/snapshot} (or
 * {@code /master/state}). {@code /master/health} is deliberately not used: it is 200 whenever the
 * process is up.
 *
 * @param leader the leader this master knows of ({@code host:port}), or null when none is elected
 * @param elected this master is the elected leader, null when unknown
 * @param recovered this master's registrar recovered the replicated log, null when unknown
 * @param slavesActive active agents as this master counts them (meaningful on the leader), or null
 * @param error why the master could not be asked, or null
 */
public record MesosHealth(
    String leader, Boolean elected, Boolean recovered, Integer slavesActive, String error) {

  public static MesosHealth unreachable(String error) {
    return new MesosHealth(null, null, null, null, error);
  }

  public boolean reachable() {
    return error == null;
  }

  /** Asks the master at {@code baseUrl} (like {@code http://127.0.0.1:5050}); never throws. */
  public static MesosHealth probe(HttpTransport http, String baseUrl) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    try {
      String leader = leaderFromRedirect(http.get(base + "/master/redirect"));
      HttpTransport.Response metrics = http.get(base + "/metrics/snapshot");
      if (!metrics.ok()) {
        return new MesosHealth(
            leader, null, null, null, "/metrics/snapshot answered " + metrics.status());
      }
      Metrics m = parseMetrics(metrics.body());
      return new MesosHealth(leader, m.elected(), m.recovered(), m.slavesActive(), null);
    } catch (IOException e) {
      return unreachable(base + ": " + e.getMessage());
    }
  }

  /**
   * The leader named by {@code /master/redirect}: a 307 whose Location is {@code //host:port} (or a
   * full URL). A 503 means no leader is elected: null.
   */
  public static String leaderFromRedirect(HttpTransport.Response r) throws IOException {
    if (r.status() == 503) {
      return null;
    }
    String location = r.header("Location");
    if ((r.status() != 307 && r.status() != 302) || location == null || location.isBlank()) {
      throw new IOException("/master/redirect answered " + r.status() + " without a Location");
    }
    String loc = location.trim();
    URI uri = URI.create(loc.startsWith("//") ? "http:" + loc : loc);
    if (uri.getHost() == null) {
      throw new IOException("/master/redirect Location is not a host: " + loc);
    }
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  /** The metrics health needs, from {@code /metrics/snapshot}. */
  public record Metrics(Boolean elected, Boolean recovered, Integer slavesActive) {}

  /**
   * Reads {@code master/elected}, {@code registrar/log/recovered} and {@code master/slaves_active}
   * (numbers like {@code 1.0}); a missing key is null.
   */
  public static Metrics parseMetrics(String json) throws IOException {
    JsonNode n = Json.read(json);
    return new Metrics(
        flag(n.get("master/elected")),
        flag(n.get("registrar/log/recovered")),
        count(n.get("master/slaves_active")));
  }

  /** What {@code /master/state} says. */
  public record State(String leader, String leaderHostname, boolean elected, int activatedSlaves) {}

  /**
   * Reads {@code /master/state}: {@code leader} is a libprocess pid like {@code
   * master@10.0.0.1:5050}; the answering master is elected when its own {@code pid} is that leader.
   */
  public static State parseState(String json) throws IOException {
    JsonNode n = Json.read(json);
    String leaderPid = text(n.get("leader"));
    String pid = text(n.get("pid"));
    String leader = leaderPid == null ? null : address(leaderPid);
    JsonNode info = n.get("leader_info");
    String leaderHostname = info == null ? null : text(info.get("hostname"));
    Integer active = count(n.get("activated_slaves"));
    return new State(
        leader,
        leaderHostname,
        leaderPid != null && leaderPid.equals(pid),
        active == null ? 0 : active);
  }

  private static String address(String pid) {
    int at = pid.indexOf('@');
    return at < 0 ? pid : pid.substring(at + 1);
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() || n.asText().isEmpty() ? null : n.asText();
  }

  private static Boolean flag(JsonNode n) {
    return n == null || !n.isNumber() ? null : n.asDouble() >= 1.0;
  }

  private static Integer count(JsonNode n) {
    return n == null || !n.isNumber() ? null : (int) Math.round(n.asDouble());
  }
}
