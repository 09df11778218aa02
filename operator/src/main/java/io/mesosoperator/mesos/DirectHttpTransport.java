package io.mesosoperator.mesos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link HttpTransport} over the JDK HTTP client, for nodes the operator can reach itself. */
public final class DirectHttpTransport implements HttpTransport {
  private final HttpClient client;
  private final Duration requestTimeout;

  public DirectHttpTransport() {
    this(Duration.ofSeconds(5), Duration.ofSeconds(20));
  }

  public DirectHttpTransport(Duration connectTimeout, Duration requestTimeout) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.requestTimeout = requestTimeout;
  }

  @Override
  public Response send(String method, String url, String body) throws IOException {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .method(method, publisher);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      Map<String, String> headers = new HashMap<>();
      for (Map.Entry<String, List<String>> e : r.headers().map().entrySet()) {
        if (!e.getValue().isEmpty()) {
          headers.put(e.getKey(), e.getValue().get(0));
        }
      }
      return new Response(r.statusCode(), headers, r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during " + method + " " + url, e);
    }
  }
}
