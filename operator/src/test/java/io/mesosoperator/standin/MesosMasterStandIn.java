package io.mesosoperator.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TEST STAND-IN for {@code mesos-master}: not Apache Mesos. No Mesos binaries exist for these test
 * machines, so this speaks the part of the master's HTTP API the operator reads, from the files the
 * Debian/Mesosphere packages read.
 *
 * <p>Files (under {@code $MESOS_OPERATOR_ROOT}): {@code /etc/mesos/zk} (required), {@code
 * /etc/mesos-master/quorum} and {@code ip} (required), {@code hostname} (default: the ip), {@code
 * port} (default 5050). A missing or malformed required file: exit 2 with a message on stderr.
 *
 * <p>Leadership: ephemeral sequential {@code json.info_} znodes under the zk path with the master's
 * address as JSON, lowest sequence leads, as Mesos does. Quorum rule: the lowest contender counts
 * as elected only while at least {@code quorum} masters are registered there, standing in for the
 * replicated log that cannot recover without a quorum.
 *
 * <p>Endpoints: {@code /master/redirect} (307 to {@code //host:port} of the leader, 503 without
 * one), {@code /master/state}, {@code /metrics/snapshot}, {@code /master/health}, and the
 * stand-in's own agent registration {@code POST /standin/register} (JSON {@code id, hostname, ip,
 * port, attributes}): only the elected leader accepts (else 503); it keeps the registry in memory,
 * so agents re-register with a new leader (they heartbeat every {@link
 * MesosAgentStandIn#HEARTBEAT}). An agent not heard from for {@link #AGENT_TIMEOUT} counts as
 * inactive.
 */
public final class MesosMasterStandIn implements AutoCloseable {

  static final String ZK = "/etc/mesos/zk";
  static final String QUORUM = "/etc/mesos-master/quorum";
  static final String IP = "/etc/mesos-master/ip";
  static final String HOSTNAME = "/etc/mesos-master/hostname";
  static final String PORT = "/etc/mesos-master/port";
  static final String PREFIX = "json.info_";
  static final Duration AGENT_TIMEOUT = Duration.ofSeconds(10);

  /** An agent as registered with the leader. */
  record Agent(
      String id,
      String hostname,
      String ip,
      int port,
      Map<String, String> attributes,
      long registeredMillis,
      long lastSeenNanos) {
    boolean active() {
      return System.nanoTime() - lastSeenNanos < AGENT_TIMEOUT.toNanos();
    }
  }

  private final String id = UUID.randomUUID().toString();
  private final ZkUrl zk;
  private final int quorum;
  private final String ip;
  private final String hostname;
  private final int port;
  private final long startMillis = System.currentTimeMillis();
  private final Map<String, Agent> agents = new ConcurrentHashMap<>();
  private final Election election;
  private final HttpServer server;
  private volatile Long electedMillis;

  public static void main(String[] args) {
    StandInMain.run("mesos-master", () -> start(FlagFiles.defaultRoot()));
  }

  /** Reads the files under root, binds ip:port, contends. */
  public static MesosMasterStandIn start(Path root) throws StandInConfigException, IOException {
    MesosMasterStandIn m = new MesosMasterStandIn(new FlagFiles(root));
    m.server.start();
    m.election.start();
    return m;
  }

  private MesosMasterStandIn(FlagFiles f) throws StandInConfigException, IOException {
    this.zk = ZkUrl.parse(ZK, f.required(ZK));
    this.quorum = FlagFiles.positive(QUORUM, f.required(QUORUM));
    this.ip = FlagFiles.ipv4(IP, f.required(IP));
    Optional<String> h = f.optional(HOSTNAME);
    this.hostname = h.isPresent() ? FlagFiles.host(HOSTNAME, h.get()) : ip;
    Optional<String> p = f.optional(PORT);
    this.port = p.isPresent() ? FlagFiles.port(PORT, p.get()) : 5050;
    this.server = Http.server("mesos-master", ip, port);
    server.createContext("/master/redirect", Http.safe(this::redirect));
    server.createContext("/master/state", Http.safe(this::state));
    server.createContext("/state", Http.safe(this::state));
    server.createContext("/metrics/snapshot", Http.safe(this::metrics));
    server.createContext("/master/health", Http.safe(ex -> Http.send(ex, 200, null, new byte[0])));
    server.createContext("/health", Http.safe(ex -> Http.send(ex, 200, null, new byte[0])));
    server.createContext("/standin/register", Http.safe(this::register));
    this.election =
        new Election(
            "mesos-master",
            zk.connectString(),
            zk.path(),
            PREFIX,
            Http.JSON.writeValueAsBytes(info(id, hostname, ip, port)),
            10_000,
            this::leadershipChanged);
  }

  /** What Mesos writes into its {@code json.info_} znode (the fields the stand-ins need). */
  static Map<String, Object> info(String id, String hostname, String ip, int port) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("pid", "master@" + ip + ":" + port);
    m.put("hostname", hostname);
    m.put("port", port);
    m.put("address", Map.of("hostname", hostname, "ip", ip, "port", port));
    m.put("version", "standin");
    return m;
  }

  /** The elected leader's info from ZooKeeper: the lowest contender, if a quorum is registered. */
  Optional<JsonNode> leaderInfo() {
    List<Election.Member> ms = election.members();
    if (ms.size() < quorum) {
      return Optional.empty();
    }
    try {
      return Optional.of(Http.JSON.readTree(ms.get(0).data()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Elected: lowest contender and a quorum of masters registered. */
  public boolean elected() {
    return election.isLowest() && election.members().size() >= quorum;
  }

  public String address() {
    return ip + ":" + port;
  }

  Election election() {
    return election;
  }

  private synchronized void leadershipChanged() {
    boolean now = elected();
    if (now && electedMillis == null) {
      electedMillis = System.currentTimeMillis();
      agents.clear(); // a new leader learns its agents from their re-registration
    } else if (!now && electedMillis != null) {
      electedMillis = null;
      agents.clear();
    }
  }

  private void redirect(HttpExchange ex) throws IOException {
    Optional<JsonNode> l = leaderInfo();
    if (l.isEmpty()) {
      Http.text(ex, 503, "No leader elected");
      return;
    }
    JsonNode info = l.get();
    ex.getResponseHeaders()
        .set("Location", "//" + info.path("hostname").asText() + ":" + info.path("port").asInt());
    Http.send(ex, 307, null, new byte[0]);
  }

  private void state(HttpExchange ex) throws IOException {
    ObjectNode s = Http.JSON.createObjectNode();
    s.put("version", "standin");
    s.put("id", id);
    s.put("pid", "master@" + ip + ":" + port);
    s.put("hostname", hostname);
    s.put("start_time", startMillis / 1000.0);
    Long e = electedMillis;
    if (e != null && elected()) {
      s.put("elected_time", e / 1000.0);
    }
    leaderInfo()
        .ifPresent(
            info -> {
              s.put("leader", info.path("pid").asText());
              ObjectNode li = s.putObject("leader_info");
              li.put("id", info.path("id").asText());
              li.put("hostname", info.path("hostname").asText());
              li.put("port", info.path("port").asInt());
              li.set("address", info.path("address"));
            });
    List<Agent> registered = elected() ? List.copyOf(agents.values()) : List.of();
    s.put("activated_slaves", registered.stream().filter(Agent::active).count());
    s.put("deactivated_slaves", registered.stream().filter(a -> !a.active()).count());
    ArrayNode slaves = s.putArray("slaves");
    registered.stream()
        .sorted((a, b) -> a.hostname().compareTo(b.hostname()))
        .forEach(
            a -> {
              ObjectNode n = slaves.addObject();
              n.put("id", a.id());
              n.put("hostname", a.hostname());
              n.put("pid", "slave(1)@" + a.ip() + ":" + a.port());
              n.put("port", a.port());
              n.put("active", a.active());
              n.put("registered_time", a.registeredMillis() / 1000.0);
              n.set("attributes", Http.JSON.valueToTree(new TreeMap<>(a.attributes())));
            });
    s.putArray("frameworks");
    ObjectNode fl = s.putObject("flags");
    fl.put("zk", zk.toString());
    fl.put("quorum", Integer.toString(quorum));
    fl.put("ip", ip);
    fl.put("hostname", hostname);
    fl.put("port", Integer.toString(port));
    Http.json(ex, 200, s);
  }

  private void metrics(HttpExchange ex) throws IOException {
    boolean el = elected();
    List<Agent> registered = el ? List.copyOf(agents.values()) : List.of();
    long active = registered.stream().filter(Agent::active).count();
    Map<String, Object> m = new TreeMap<>();
    m.put("master/elected", el ? 1.0 : 0.0);
    m.put("registrar/log/recovered", el ? 1.0 : 0.0);
    m.put("master/slaves_active", (double) active);
    m.put("master/slaves_inactive", (double) (registered.size() - active));
    m.put("master/slaves_connected", (double) active);
    m.put("master/uptime_secs", (System.currentTimeMillis() - startMillis) / 1000.0);
    Http.json(ex, 200, m);
  }

  private void register(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      Http.json(ex, 405, Map.of("message", "POST only"));
      return;
    }
    if (!elected()) {
      Http.json(ex, 503, Map.of("message", "not the elected leader"));
      return;
    }
    JsonNode b;
    try {
      b = Http.JSON.readTree(Http.body(ex));
    } catch (IOException e) {
      Http.json(ex, 400, Map.of("message", "not JSON: " + e.getMessage()));
      return;
    }
    String agentId = b.path("id").asText("");
    if (agentId.isEmpty() || b.path("hostname").asText("").isEmpty()) {
      Http.json(ex, 400, Map.of("message", "id and hostname are required"));
      return;
    }
    Map<String, String> attributes = new TreeMap<>();
    b.path("attributes")
        .fields()
        .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
    Agent before = agents.get(agentId);
    agents.put(
        agentId,
        new Agent(
            agentId,
            b.path("hostname").asText(),
            b.path("ip").asText(),
            b.path("port").asInt(5051),
            attributes,
            before == null ? System.currentTimeMillis() : before.registeredMillis(),
            System.nanoTime()));
    Http.json(ex, 200, Map.of("slave_id", agentId, "master", "master@" + ip + ":" + port));
  }

  /** Registered and active agents on this master (0 unless elected). */
  public int activeAgents() {
    return elected() ? (int) agents.values().stream().filter(Agent::active).count() : 0;
  }

  @Override
  public void close() {
    election.close();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
