package io.mesosoperator.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.mesosoperator.testing.MockApiDispatcher;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fabric8 mock API server in CRUD mode on loopback, with the project's CRDs and a namespace. A
 * background thread drains the server's request log as it grows (it would otherwise hold every
 * request for the whole run) and counts reads and writes (anything but GET).
 */
final class MockApi implements AutoCloseable {
  static final String NS = "bench";
  static final Path ROOT = Path.of(System.getProperty("project.root", ".."));

  final KubernetesMockServer server;
  final KubernetesClient client;
  final AtomicLong writes = new AtomicLong();
  final AtomicLong reads = new AtomicLong();

  /** Writes by method and resource ("PATCH mesosnodes/status"), names left out. */
  final Map<String, AtomicLong> writesByKind = new java.util.concurrent.ConcurrentHashMap<>();

  /** Held so the level sticks: the mock logs every request at INFO otherwise. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final Thread drainer;
  private volatile boolean running = true;

  MockApi() throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), responses, new EventsNotStored(responses), false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    client = server.createClient();
    drainer = new Thread(this::drain, "mock-api-drain");
    drainer.setDaemon(true);
    drainer.start();
    for (String f :
        List.of("mesosclusters.mesosoperator.io.yaml", "mesosnodes.mesosoperator.io.yaml")) {
      try (InputStream in = Files.newInputStream(ROOT.resolve("crds").resolve(f))) {
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    }
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  /**
   * Accepts Event creates without storing them. The CRUD mock keeps every object in one collection
   * and matches each request against all of them, so the thousands of events a 1000-node converge
   * records would make every later GET or PATCH of a node slower, a cost no real API server has
   * (events live apart, with their own TTL). The requests still reach the request log, so they are
   * counted as writes.
   */
  private static final class EventsNotStored extends MockApiDispatcher {
    private static final java.util.regex.Pattern EVENTS =
        java.util.regex.Pattern.compile("/api/v1/namespaces/[^/]+/events(\\?.*)?");

    EventsNotStored(Map<ServerRequest, Queue<ServerResponse>> responses) {
      super(responses);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if ("POST".equals(request.getMethod()) && EVENTS.matcher(request.getPath()).matches()) {
        return new MockResponse()
            .setResponseCode(201)
            .setHeader("Content-Type", "application/json")
            .setBody(request.getBody().getBytes());
      }
      return super.dispatch(request);
    }
  }

  /** The server's URL, for a kubeconfig. */
  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  private void drain() {
    while (running) {
      try {
        RecordedRequest r = server.takeRequest(100, TimeUnit.MILLISECONDS);
        if (r != null) {
          if ("GET".equals(r.getMethod())) {
            reads.incrementAndGet();
          } else {
            writes.incrementAndGet();
            writesByKind
                .computeIfAbsent(kind(r.getMethod(), r.getPath()), k -> new AtomicLong())
                .incrementAndGet();
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // the server is going away
      }
    }
  }

  /**
   * "METHOD resource[/subresource]" of a request path such as
   * /apis/g/v1/namespaces/ns/mesosnodes/name/status: the segment after the namespace, and the one
   * after the name.
   */
  static String kind(String method, String path) {
    String p = path == null ? "" : path.split("\\?", 2)[0];
    String[] s = p.split("/");
    for (int i = 0; i + 2 < s.length; i++) {
      if (s[i].equals("namespaces")) {
        String kind = s[i + 2];
        return method + " " + (s.length > i + 4 ? kind + "/" + s[i + 4] : kind);
      }
    }
    return method + " " + p;
  }

  /** A copy of {@link #writesByKind}, as plain numbers. */
  Map<String, Long> writesByKind() {
    Map<String, Long> m = new java.util.TreeMap<>();
    writesByKind.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  /** Waits until the request log is empty, so the counters are up to date. */
  void settleCounters() throws InterruptedException {
    for (int i = 0; i < 100 && server.getRequestCount() > reads.get() + writes.get(); i++) {
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
    server.destroy();
    running = false;
    drainer.join(2000);
  }
}
