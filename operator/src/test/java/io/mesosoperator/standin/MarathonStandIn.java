package io.mesosoperator.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * TEST STAND-IN for Marathon: not Marathon. Speaks the part of the REST API the operator uses.
 *
 * <p>Files (under {@code $MESOS_OPERATOR_ROOT}): {@code /etc/marathon/conf/hostname}, {@code
 * master}, {@code zk} (required), {@code http_port} (default 8080) and {@code http_address}
 * (default all addresses) optional. Refuses to start (exit 2) when a required file is missing or
 * malformed.
 *
 * <p>Leader election: ephemeral sequential {@code member_} znodes under {@code <zk path>/leader}
 * holding {@code hostname:port}; lowest leads. Apps live in ZooKeeper under {@code <zk
 * path>/state/apps/} so a new leader serves the same apps. Deployments and write counts live in the
 * leader's memory. Non-leaders <b>proxy</b> every request except {@code /v2/leader} and {@code
 * /ping} to the leader (as Marathon does), adding {@code X-Marathon-Via}; a request that already
 * carries it is not proxied again (503).
 *
 * <p>API: {@code GET /v2/leader}; {@code GET /v2/apps}; {@code POST /v2/apps} (409 if the id
 * exists); {@code GET|PUT|DELETE /v2/apps/{id}} (PUT creates 201 or updates 200, returns {@code
 * version} and {@code deploymentId}; {@code partialUpdate=false} replaces the whole app, otherwise
 * top-level fields are merged); {@code GET /v2/deployments}. A deployment completes after the
 * deployment time (1 s by default); meanwhile writes to its app answer 409 unless {@code
 * force=true}. {@code GET /standin/stats}: write requests (PUT/POST/DELETE) per app id that reached
 * the leader, whatever their answer.
 */
public final class MarathonStandIn implements AutoCloseable {

  static final String HOSTNAME = "/etc/marathon/conf/hostname";
  static final String MASTER = "/etc/marathon/conf/master";
  static final String ZK = "/etc/marathon/conf/zk";
  static final String HTTP_PORT = "/etc/marathon/conf/http_port";
  static final String HTTP_ADDRESS = "/etc/marathon/conf/http_address";
  static final String VIA = "X-Marathon-Via";

  private static final Pattern MASTER_VALUE =
      Pattern.compile("^(zk://.+|[A-Za-z0-9.-]+:\\d{1,5}(,[A-Za-z0-9.-]+:\\d{1,5})*)$");
  private static final Pattern APP_ID = Pattern.compile("^(/[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$");

  /** A running deployment. */
  record Deployment(String id, String version, String appId) {}

  private final String hostname;
  private final int port;
  private final ZkUrl zk;
  private final String master;
  private final String appsPath;
  private final Duration deployTime;
  private final Election election;
  private final HttpServer server;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "marathon-deployments");
            t.setDaemon(true);
            return t;
          });

  public static void main(String[] args) {
    long ms = Long.getLong("standin.marathon.deployMillis", 1000);
    StandInMain.run("marathon", () -> start(FlagFiles.defaultRoot(), Duration.ofMillis(ms)));
  }

  public static MarathonStandIn start(Path root) throws StandInConfigException, IOException {
    return start(root, Duration.ofSeconds(1));
  }

  public static MarathonStandIn start(Path root, Duration deployTime)
      throws StandInConfigException, IOException {
    MarathonStandIn m = new MarathonStandIn(new FlagFiles(root), deployTime);
    m.server.start();
    m.election.start();
    return m;
  }

  private MarathonStandIn(FlagFiles f, Duration deployTime)
      throws StandInConfigException, IOException {
    this.hostname = FlagFiles.host(HOSTNAME, f.required(HOSTNAME));
    this.master = f.required(MASTER);
    if (!MASTER_VALUE.matcher(master).matches()) {
      throw new StandInConfigException(
          MASTER + " must hold zk://... or host:port, not '" + master + "'");
    }
    if (master.startsWith("zk://")) {
      ZkUrl.parse(MASTER, master);
    }
    this.zk = ZkUrl.parse(ZK, f.required(ZK));
    Optional<String> p = f.optional(HTTP_PORT);
    this.port = p.isPresent() ? FlagFiles.port(HTTP_PORT, p.get()) : 8080;
    Optional<String> a = f.optional(HTTP_ADDRESS);
    String bind = a.isPresent() ? FlagFiles.ipv4(HTTP_ADDRESS, a.get()) : "0.0.0.0";
    this.appsPath = zk.path() + "/state/apps";
    this.deployTime = deployTime;
    this.server = Http.server("marathon", bind, port);
    server.createContext("/", Http.safe(this::route));
    this.election =
        new Election(
            "marathon",
            zk.connectString(),
            zk.path() + "/leader",
            "member_",
            (hostname + ":" + port).getBytes(StandardCharsets.UTF_8),
            10_000,
            () -> {});
  }

  /** {@code host:port} of the leader, if one is known. */
  public Optional<String> leader() {
    return election.lowest().map(m -> new String(m.data(), StandardCharsets.UTF_8));
  }

  public boolean isLeader() {
    return election.isLowest();
  }

  public String address() {
    return hostname + ":" + port;
  }

  Election election() {
    return election;
  }

  // ---- routing ----

  private void route(HttpExchange ex) throws Exception {
    String path = ex.getRequestURI().getPath();
    if (path.equals("/ping")) {
      Http.text(ex, 200, "pong\n");
      return;
    }
    if (path.equals("/v2/leader")) {
      Optional<String> l = leader();
      if (l.isEmpty()) {
        Http.json(ex, 404, Map.of("message", "There is no leader"));
      } else {
        Http.json(ex, 200, Map.of("leader", l.get()));
      }
      return;
    }
    if (!isLeader()) {
      proxy(ex);
      return;
    }
    ex.getResponseHeaders().set("X-Marathon-Leader", "http://" + address());
    String method = ex.getRequestMethod();
    if (path.equals("/v2/apps") || path.equals("/v2/apps/")) {
      switch (method) {
        case "GET" -> listApps(ex);
        case "POST" -> createApp(ex);
        default -> Http.json(ex, 405, Map.of("message", method + " not allowed"));
      }
    } else if (path.startsWith("/v2/apps/")) {
      String id = appId(path.substring("/v2/apps".length()));
      if (!APP_ID.matcher(id).matches()) {
        Http.json(ex, 422, Map.of("message", "invalid app id '" + id + "'"));
        return;
      }
      switch (method) {
        case "GET" -> getApp(ex, id);
        case "PUT" -> putApp(ex, id);
        case "DELETE" -> deleteApp(ex, id);
        default -> Http.json(ex, 405, Map.of("message", method + " not allowed"));
      }
    } else if (path.equals("/v2/deployments") && method.equals("GET")) {
      ArrayNode list = Http.JSON.createArrayNode();
      deployments.values().forEach(d -> list.add(deploymentJson(d)));
      Http.json(ex, 200, list);
    } else if (path.equals("/v2/info")) {
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("name", "marathon-standin");
      info.put("version", "standin");
      info.put("leader", address());
      info.put("marathon_config", Map.of("master", master, "hostname", hostname));
      info.put("zookeeper_config", Map.of("zk", zk.toString()));
      Http.json(ex, 200, info);
    } else if (path.equals("/standin/stats")) {
      Map<String, Integer> w = new TreeMap<>();
      writes.forEach((k, v) -> w.put(k, v.get()));
      Http.json(
          ex,
          200,
          Map.of("writes", w, "total", w.values().stream().mapToInt(Integer::intValue).sum()));
    } else {
      Http.json(ex, 404, Map.of("message", "not found: " + path));
    }
  }

  private static String appId(String raw) {
    String id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
    while (id.length() > 1 && id.endsWith("/")) {
      id = id.substring(0, id.length() - 1);
    }
    return id.startsWith("/") ? id : "/" + id;
  }

  private void proxy(HttpExchange ex) throws Exception {
    Optional<String> l = leader();
    if (l.isEmpty() || ex.getRequestHeaders().containsKey(VIA)) {
      Http.json(ex, 503, Map.of("message", "Could not determine the current leader"));
      return;
    }
    byte[] body = Http.body(ex);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://" + l.get() + ex.getRequestURI()))
            .timeout(Duration.ofSeconds(10))
            .header(VIA, "1.1 " + address())
            .method(
                ex.getRequestMethod(),
                body.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    String ct = ex.getRequestHeaders().getFirst("Content-Type");
    if (ct != null) {
      b.header("Content-Type", ct);
    }
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      Http.json(ex, 503, Map.of("message", "leader " + l.get() + " unreachable: " + e));
      return;
    }
    for (String h : List.of("Location", "X-Marathon-Leader")) {
      r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
    }
    ex.getResponseHeaders().set(VIA, "1.1 " + address());
    Http.send(ex, r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
  }

  // ---- apps ----

  private void listApps(HttpExchange ex) throws Exception {
    ArrayNode apps = Http.JSON.createArrayNode();
    for (ObjectNode app : storedApps()) {
      apps.add(withDeployments(app));
    }
    ObjectNode r = Http.JSON.createObjectNode();
    r.set("apps", apps);
    Http.json(ex, 200, r);
  }

  private void getApp(HttpExchange ex, String id) throws Exception {
    Optional<ObjectNode> app = stored(id);
    if (app.isEmpty()) {
      Http.json(ex, 404, Map.of("message", "App '" + id + "' does not exist"));
      return;
    }
    ObjectNode r = Http.JSON.createObjectNode();
    r.set("app", withDeployments(app.get()));
    Http.json(ex, 200, r);
  }

  private void createApp(HttpExchange ex) throws Exception {
    Optional<ObjectNode> body = bodyObject(ex);
    if (body.isEmpty()) {
      return;
    }
    String id = appId(body.get().path("id").asText(""));
    if (!APP_ID.matcher(id).matches()) {
      Http.json(ex, 422, Map.of("message", "invalid or missing app id '" + id + "'"));
      return;
    }
    countWrite(id);
    synchronized (this) {
      if (stored(id).isPresent()) {
        Http.json(ex, 409, Map.of("message", "An app with id [" + id + "] already exists."));
        return;
      }
      ObjectNode app = body.get();
      store(id, app);
      ex.getResponseHeaders().set("Location", "/v2/apps" + id);
      Http.json(ex, 201, withDeployments(app));
    }
  }

  private void putApp(HttpExchange ex, String id) throws Exception {
    Optional<ObjectNode> body = bodyObject(ex);
    if (body.isEmpty()) {
      return;
    }
    String bodyId = body.get().path("id").asText("");
    if (!bodyId.isEmpty() && !appId(bodyId).equals(id)) {
      Http.json(ex, 422, Map.of("message", "app id in body " + bodyId + " is not " + id));
      return;
    }
    countWrite(id);
    Map<String, String> q = Http.query(ex);
    boolean force = "true".equals(q.get("force"));
    boolean partial = !"false".equals(q.get("partialUpdate"));
    synchronized (this) {
      if (locked(ex, id, force)) {
        return;
      }
      Optional<ObjectNode> existing = stored(id);
      ObjectNode app = body.get();
      if (existing.isPresent() && partial) {
        ObjectNode merged = existing.get().deepCopy();
        merged.setAll(app);
        app = merged;
      }
      Deployment d = store(id, app);
      if (existing.isEmpty()) {
        ex.getResponseHeaders().set("Location", "/v2/apps" + id);
      }
      Http.json(
          ex,
          existing.isEmpty() ? 201 : 200,
          Map.of("version", d.version(), "deploymentId", d.id()));
    }
  }

  private void deleteApp(HttpExchange ex, String id) throws Exception {
    countWrite(id);
    boolean force = "true".equals(Http.query(ex).get("force"));
    synchronized (this) {
      if (stored(id).isEmpty()) {
        Http.json(ex, 404, Map.of("message", "App '" + id + "' does not exist"));
        return;
      }
      if (locked(ex, id, force)) {
        return;
      }
      try {
        election.zk().delete(appsPath + "/" + node(id), -1);
      } catch (KeeperException.NoNodeException gone) {
        // deleted meanwhile
      }
      Deployment d = deploy(id, Instant.now().toString());
      Http.json(ex, 200, Map.of("version", d.version(), "deploymentId", d.id()));
    }
  }

  /** Answers 409 and returns true when a deployment holds the app and force is not set. */
  private boolean locked(HttpExchange ex, String id, boolean force) throws IOException {
    List<Deployment> holding =
        deployments.values().stream().filter(d -> d.appId().equals(id)).toList();
    if (holding.isEmpty()) {
      return false;
    }
    if (force) {
      holding.forEach(d -> deployments.remove(d.id())); // the new deployment supersedes them
      return false;
    }
    ObjectNode r = Http.JSON.createObjectNode();
    r.put(
        "message",
        "App is locked by one or more deployments. Override with the option '?force=true'. "
            + "View details at '/v2/deployments/<DEPLOYMENT_ID>'.");
    ArrayNode ds = r.putArray("deployments");
    holding.forEach(d -> ds.addObject().put("id", d.id()));
    Http.json(ex, 409, r);
    return true;
  }

  private Deployment store(String id, ObjectNode app) throws Exception {
    String version = Instant.now().toString();
    app.put("id", id);
    app.put("version", version);
    byte[] bytes = Http.JSON.writeValueAsBytes(app);
    ZooKeeper z = election.zk();
    String node = appsPath + "/" + node(id);
    try {
      z.setData(node, bytes, -1);
    } catch (KeeperException.NoNodeException e) {
      Election.ensurePath(z, appsPath);
      z.create(node, bytes, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }
    return deploy(id, version);
  }

  private Deployment deploy(String id, String version) {
    Deployment d = new Deployment(UUID.randomUUID().toString(), version, id);
    deployments.put(d.id(), d);
    timer.schedule(() -> deployments.remove(d.id()), deployTime.toMillis(), TimeUnit.MILLISECONDS);
    return d;
  }

  private Optional<ObjectNode> stored(String id) throws Exception {
    try {
      byte[] b = election.zk().getData(appsPath + "/" + node(id), false, null);
      return Optional.of((ObjectNode) Http.JSON.readTree(b));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
  }

  private List<ObjectNode> storedApps() throws Exception {
    List<String> children;
    try {
      children = new ArrayList<>(election.zk().getChildren(appsPath, false));
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
    children.sort(null);
    List<ObjectNode> apps = new ArrayList<>();
    for (String c : children) {
      stored(URLDecoder.decode(c, StandardCharsets.UTF_8)).ifPresent(apps::add);
    }
    return apps;
  }

  /** One znode per app: the id URL-encoded, so its slashes do not make a tree. */
  private static String node(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  private ObjectNode withDeployments(ObjectNode app) {
    ObjectNode a = app.deepCopy();
    ArrayNode ds = a.putArray("deployments");
    deployments.values().stream()
        .filter(d -> d.appId().equals(app.path("id").asText()))
        .forEach(d -> ds.addObject().put("id", d.id()));
    return a;
  }

  private static ObjectNode deploymentJson(Deployment d) {
    ObjectNode n = Http.JSON.createObjectNode();
    n.put("id", d.id());
    n.put("version", d.version());
    n.putArray("affectedApps").add(d.appId());
    n.put("currentStep", 1);
    n.put("totalSteps", 1);
    return n;
  }

  private Optional<ObjectNode> bodyObject(HttpExchange ex) throws IOException {
    JsonNode n;
    try {
      n = Http.JSON.readTree(Http.body(ex));
    } catch (IOException e) {
      Http.json(ex, 400, Map.of("message", "Invalid JSON: " + e.getMessage()));
      return Optional.empty();
    }
    if (n == null || !n.isObject()) {
      Http.json(ex, 422, Map.of("message", "an app must be a JSON object"));
      return Optional.empty();
    }
    return Optional.of((ObjectNode) n);
  }

  private void countWrite(String id) {
    writes.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
  }

  /** Write requests per app id that reached this instance as leader. */
  public Map<String, Integer> writes() {
    Map<String, Integer> w = new TreeMap<>();
    writes.forEach((k, v) -> w.put(k, v.get()));
    return w;
  }

  @Override
  public void close() {
    election.close();
    timer.shutdownNow();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
