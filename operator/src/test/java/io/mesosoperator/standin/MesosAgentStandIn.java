package io.mesosoperator.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * TEST STAND-IN for {@code mesos-slave} (the Mesos agent): not Apache Mesos.
 *
 * <p>Files (under {@code $MESOS_OPERATOR_ROOT}): {@code /etc/mesos/zk}, {@code
 * /etc/mesos-slave/ip}, {@code /etc/mesos-slave/hostname} (required), {@code attributes} ({@code
 * name:value;name:value}) and {@code port} (default 5051) optional. Refuses to start (exit 2) when
 * a required file is missing or a file is malformed.
 *
 * <p>Watches the masters' {@code json.info_} znodes, registers with the lowest through {@code POST
 * /standin/register} and repeats that every {@link #HEARTBEAT}; a refusal or error backs off from
 * 250 ms doubling up to {@link #MAX_BACKOFF}. Serves {@code /state} and {@code /health} on ip:port.
 * The agent id is new for every process (as if the work dir were wiped).
 */
public final class MesosAgentStandIn implements AutoCloseable {

  static final String ZK = "/etc/mesos/zk";
  static final String IP = "/etc/mesos-slave/ip";
  static final String HOSTNAME = "/etc/mesos-slave/hostname";
  static final String ATTRIBUTES = "/etc/mesos-slave/attributes";
  static final String PORT = "/etc/mesos-slave/port";
  static final Duration HEARTBEAT = Duration.ofSeconds(2);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(4);

  private final String id = UUID.randomUUID() + "-S0";
  private final ZkUrl zk;
  private final String ip;
  private final String hostname;
  private final int port;
  private final Map<String, String> attributes;
  private final Election masters;
  private final HttpServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread registrar;
  private volatile boolean closed;
  private volatile String masterPid;
  private volatile String masterHostname;

  public static void main(String[] args) {
    StandInMain.run("mesos-slave", () -> start(FlagFiles.defaultRoot()));
  }

  public static MesosAgentStandIn start(Path root) throws StandInConfigException, IOException {
    MesosAgentStandIn a = new MesosAgentStandIn(new FlagFiles(root));
    a.server.start();
    a.masters.start();
    a.registrar.start();
    return a;
  }

  private MesosAgentStandIn(FlagFiles f) throws StandInConfigException, IOException {
    this.zk = ZkUrl.parse(ZK, f.required(ZK));
    this.ip = FlagFiles.ipv4(IP, f.required(IP));
    this.hostname = FlagFiles.host(HOSTNAME, f.required(HOSTNAME));
    Optional<String> p = f.optional(PORT);
    this.port = p.isPresent() ? FlagFiles.port(PORT, p.get()) : 5051;
    Optional<String> attrs = f.optional(ATTRIBUTES);
    this.attributes = attrs.isPresent() ? parseAttributes(attrs.get()) : Map.of();
    this.server = Http.server("mesos-slave", ip, port);
    server.createContext("/state", Http.safe(this::state));
    server.createContext("/slave(1)/state", Http.safe(this::state));
    server.createContext("/health", Http.safe(ex -> Http.send(ex, 200, null, new byte[0])));
    this.masters =
        new Election(
            "mesos-slave",
            zk.connectString(),
            zk.path(),
            MesosMasterStandIn.PREFIX,
            null,
            10_000,
            () -> {});
    this.registrar = new Thread(this::registerLoop, "mesos-slave-registrar");
    registrar.setDaemon(true);
  }

  /** {@code rack:r1;disk:ssd} as Mesos reads {@code --attributes}. */
  static Map<String, String> parseAttributes(String value) throws StandInConfigException {
    Map<String, String> m = new TreeMap<>();
    for (String pair : value.split(";")) {
      int colon = pair.indexOf(':');
      if (colon <= 0 || colon == pair.length() - 1) {
        throw new StandInConfigException(
            ATTRIBUTES + " must hold name:value pairs separated by ';', not '" + value + "'");
      }
      m.put(pair.substring(0, colon).strip(), pair.substring(colon + 1).strip());
    }
    return m;
  }

  public boolean registered() {
    return masterPid != null;
  }

  public String id() {
    return id;
  }

  private void registerLoop() {
    long backoffMs = 250;
    while (!closed) {
      boolean ok = registerOnce();
      long sleep = ok ? HEARTBEAT.toMillis() : backoffMs;
      backoffMs = ok ? 250 : Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean registerOnce() {
    Optional<Election.Member> lowest = masters.lowest();
    if (lowest.isEmpty()) {
      masterPid = null;
      return false;
    }
    try {
      JsonNode info = Http.JSON.readTree(lowest.get().data());
      String mip = info.path("address").path("ip").asText();
      int mport = info.path("port").asInt();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("id", id);
      body.put("hostname", hostname);
      body.put("ip", ip);
      body.put("port", port);
      body.put("attributes", attributes);
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://" + mip + ":" + mport + "/standin/register"))
              .timeout(Duration.ofSeconds(5))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(Http.JSON.writeValueAsBytes(body)))
              .build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        masterPid = info.path("pid").asText();
        masterHostname = info.path("hostname").asText();
        return true;
      }
    } catch (IOException e) {
      // master not reachable yet: back off
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
    masterPid = null;
    return false;
  }

  private void state(HttpExchange ex) throws IOException {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("version", "standin");
    s.put("id", id);
    s.put("pid", "slave(1)@" + ip + ":" + port);
    s.put("hostname", hostname);
    s.put("attributes", attributes);
    String mp = masterPid;
    if (mp != null) {
      s.put("master_hostname", masterHostname);
      s.put("master", mp);
    }
    s.put("registered", mp != null);
    s.put(
        "flags",
        Map.of("master", zk.toString(), "ip", ip, "hostname", hostname, "port", "" + port));
    Http.json(ex, 200, s);
  }

  @Override
  public void close() {
    closed = true;
    registrar.interrupt();
    masters.close();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
