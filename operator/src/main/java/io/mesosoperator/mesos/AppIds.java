package io.mesosoperator.mesos;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Marathon app ids: validation, absolute form, URL path. */
public final class AppIds {
  private static final Pattern SEGMENT = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

  private AppIds() {}

  /**
   * Marathon's rule: optional leading '/', then segments of lower-case letters, digits and inner
   * '-' separated by single '/'. Segment by segment, so hostile input cannot make a regex
   * backtrack.
   */
  public static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > 1024) {
      return false;
    }
    String rest = id.startsWith("/") ? id.substring(1) : id;
    if (rest.isEmpty()) {
      return false;
    }
    for (String segment : rest.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches()) {
        return false;
      }
    }
    return true;
  }

  /** The absolute id ({@code hello} → {@code /hello}); Marathon reads relative ids from root. */
  public static String absolute(String id) {
    if (!valid(id)) {
      throw new IllegalArgumentException("not a Marathon app id: " + quoted(id));
    }
    return id.startsWith("/") ? id : "/" + id;
  }

  /** {@code /v2/apps/<segments>}, each segment URL-encoded. */
  public static String path(String id) {
    StringBuilder b = new StringBuilder("/v2/apps");
    for (String segment : absolute(id).substring(1).split("/")) {
      b.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return b.toString();
  }

  private static String quoted(String id) {
    if (id == null) {
      return "null";
    }
    String s = id.length() > 64 ? id.substring(0, 64) + "..." : id;
    return "'" + s.replaceAll("[^\\x20-\\x7e]", "?") + "'";
  }
}
