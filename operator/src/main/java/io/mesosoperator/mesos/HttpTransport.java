package io.mesosoperator.mesos;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP request, one answer; redirects are never followed (Mesos answers the leader question
 * with a 307). Implementations: {@link DirectHttpTransport} when the operator reaches the node,
 * {@link SshHttpTransport} when the request must run on a node through its SSH connection.
 */
public interface HttpTransport {

  /**
   * What the server answered.
   *
   * @param status HTTP status code
   * @param headers header names in lower case, first value of each
   * @param body body as UTF-8 text
   */
  record Response(int status, Map<String, String> headers, String body) {
    public Response {
      Map<String, String> h = new TreeMap<>();
      if (headers != null) {
        headers.forEach((k, v) -> h.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
      }
      headers = Map.copyOf(h);
      body = body == null ? "" : body;
    }

    /** A header value by case-insensitive name, or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /**
   * Sends one request.
   *
   * @param method GET, PUT, POST or DELETE
   * @param url absolute http URL
   * @param body JSON body, or null for none
   * @throws IOException the server could not be reached or did not answer in time
   */
  Response send(String method, String url, String body) throws IOException;

  default Response get(String url) throws IOException {
    return send("GET", url, null);
  }

  default Response put(String url, String body) throws IOException {
    return send("PUT", url, body);
  }

  default Response post(String url, String body) throws IOException {
    return send("POST", url, body);
  }

  default Response delete(String url) throws IOException {
    return send("DELETE", url, null);
  }
}
