package io.mesosoperator.mesos;

import io.mesosoperator.node.Shell;
import io.mesosoperator.node.SshSession;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@link HttpTransport} that runs each request on a node, through that node's SSH session, so the
 * operator needs no route to the node's HTTP ports (private addresses, closed firewalls). Uses
 * {@code curl} when the node has it, else bash's {@code /dev/tcp} with a hand-written HTTP/1.0
 * request; both print the raw response (status line, headers, body), parsed here. Every value in
 * the remote script is quoted with {@link Shell#quote}; the body reaches the client on its stdin.
 */
public final class SshHttpTransport implements HttpTransport {

  /** Which HTTP client runs on the node. */
  public enum Tool {
    /** curl when installed, else bash /dev/tcp. */
    AUTO,
    CURL,
    BASH_TCP
  }

  private final SshSession session;
  private final Duration timeout;
  private final Tool tool;

  public SshHttpTransport(SshSession session) {
    this(session, Duration.ofSeconds(20), Tool.AUTO);
  }

  public SshHttpTransport(SshSession session, Duration timeout, Tool tool) {
    this.session = session;
    this.timeout = timeout;
    this.tool = tool;
  }

  @Override
  public Response send(String method, String url, String body) throws IOException {
    String script = script(method, url, body, timeout, tool);
    SshSession.Exec exec = session.run(script);
    if (!exec.ok()) {
      throw new IOException(
          method
              + " "
              + url
              + " on the node failed (exit "
              + exec.exitStatus()
              + "): "
              + exec.stderr().strip());
    }
    return parse(exec.stdout());
  }

  /** The remote script for one request. Pure; package-private for tests. */
  static String script(String method, String url, String body, Duration timeout, Tool tool) {
    if (!method.matches("GET|PUT|POST|DELETE")) {
      throw new IllegalArgumentException("unsupported HTTP method " + method);
    }
    URI uri = URI.create(url);
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("only absolute http URLs are supported: " + url);
    }
    long seconds = Math.max(1, timeout.toSeconds());
    String feed = body == null ? "" : "printf '%s' " + Shell.quote(body) + " | ";
    StringBuilder curl = new StringBuilder(feed);
    curl.append("curl -sS -i -X ")
        .append(Shell.quote(method))
        .append(" --max-time ")
        .append(seconds)
        .append(" --connect-timeout ")
        .append(Math.min(seconds, 5))
        .append(" -H ")
        .append(Shell.quote("Accept: application/json"))
        // No "Expect: 100-continue" round: one response block to parse.
        .append(" -H ")
        .append(Shell.quote("Expect:"));
    if (body != null) {
      curl.append(" -H ")
          .append(Shell.quote("Content-Type: application/json"))
          .append(" --data-binary @-");
    }
    curl.append(" -- ").append(Shell.quote(url));

    String host = uri.getHost().replaceAll("^\\[|]$", "");
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder request = new StringBuilder();
    request.append(method).append(' ').append(path).append(" HTTP/1.0\r\n");
    request.append("Host: ").append(uri.getRawAuthority()).append("\r\n");
    request.append("Accept: application/json\r\n");
    if (body != null) {
      request.append("Content-Type: application/json\r\n");
    }
    request.append("Content-Length: ").append(bytes.length).append("\r\n");
    request.append("Connection: close\r\n\r\n");
    if (body != null) {
      request.append(body);
    }
    String tcp =
        "printf '%s' "
            + Shell.quote(request.toString())
            + " | timeout "
            + seconds
            + " bash -c "
            + Shell.quote("exec 3<>\"/dev/tcp/$1/$2\" || exit 7; cat >&3; cat <&3")
            + " mo-http "
            + Shell.words(host, port);
    return switch (tool) {
      case CURL -> curl + "\n";
      case BASH_TCP -> tcp + "\n";
      case AUTO ->
          "if command -v curl >/dev/null 2>&1; then\n  " + curl + "\nelse\n  " + tcp + "\nfi\n";
    };
  }

  /** Parses a raw HTTP response (curl -i or a socket dump), skipping 1xx interim blocks. */
  static Response parse(String raw) throws IOException {
    String rest = raw;
    while (true) {
      int end = rest.indexOf("\r\n\r\n");
      int sep = 4;
      int lf = rest.indexOf("\n\n");
      if (end < 0 || (lf >= 0 && lf < end)) {
        end = lf;
        sep = 2;
      }
      String head = end < 0 ? rest : rest.substring(0, end);
      String body = end < 0 ? "" : rest.substring(end + sep);
      String[] lines = head.split("\r?\n");
      String[] status = lines[0].split(" ", 3);
      if (status.length < 2 || !status[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP response: " + abbreviate(lines[0]));
      }
      int code;
      try {
        code = Integer.parseInt(status[1].trim());
      } catch (NumberFormatException e) {
        throw new IOException("bad HTTP status line: " + abbreviate(lines[0]));
      }
      if (code >= 100 && code < 200 && end >= 0) {
        rest = body;
        continue;
      }
      Map<String, String> headers = new HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.putIfAbsent(
              lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
              lines[i].substring(colon + 1).trim());
        }
      }
      return new Response(code, headers, body);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
