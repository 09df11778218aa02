package io.mesosoperator.mesos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Base of the test stand-ins: a JDK HttpServer on 127.0.0.1 that logs each request. */
abstract class FakeHttp implements AutoCloseable {
  /** "METHOD /path?query" per request, in order. */
  final List<String> requests = new CopyOnWriteArrayList<>();

  /** Request bodies by "METHOD /path?query", last one wins. */
  final Map<String, String> bodies = new java.util.concurrent.ConcurrentHashMap<>();

  private final HttpServer server;

  FakeHttp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String key =
                exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query);
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(key);
            bodies.put(key, body);
            handle(exchange, exchange.getRequestMethod(), path, query, body);
          } catch (RuntimeException e) {
            respond(exchange, 500, "{\"message\":\"fake failed: " + e + "\"}");
          }
        });
    server.start();
  }

  abstract void handle(HttpExchange ex, String method, String path, String query, String body)
      throws IOException;

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int port() {
    return server.getAddress().getPort();
  }

  long writes() {
    return requests.stream().filter(r -> !r.startsWith("GET ")).count();
  }

  static void respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
    if (json != null) {
      ex.getResponseHeaders().set("Content-Type", "application/json");
    }
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
