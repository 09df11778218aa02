package io.mesosoperator.plan;

import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digest of a node's desired configuration: SHA-256 over {@link #canonicalText}, written as
 * {@code sha256:<hex>}. Equal configurations give equal digests on every JVM.
 */
public final class ConfigDigest {
  private ConfigDigest() {}

  /** {@code sha256:} + hex of the canonical text. */
  public static String of(NodeConfig config) {
    return "sha256:" + Digests.sha256(canonicalText(config));
  }

  /**
   * One {@code key=value} line per setting, in a fixed order; file contents enter by digest, maps
   * sorted by key, lists in their (meaningful) order.
   */
  public static String canonicalText(NodeConfig c) {
    StringBuilder b = new StringBuilder();
    line(b, "node", c.node());
    line(b, "roleType", c.roleType());
    line(b, "hostname", c.hostname());
    for (ManagedFile f : c.files()) {
      line(
          b,
          "file",
          f.path() + " " + f.kind() + " " + f.mode() + " " + f.owner() + " " + Digests.desired(f));
    }
    if (c.aptSource() != null) {
      line(
          b,
          "aptSource",
          c.aptSource().path()
              + " "
              + c.aptSource().keyId()
              + " "
              + c.aptSource().keyServer()
              + " "
              + Digests.sha256(c.aptSource().line()));
    }
    line(b, "packages", String.join(" ", c.packages()));
    line(b, "upgrade", c.upgrade());
    line(b, "clockSync", c.clockSync());
    line(b, "services", String.join(" ", c.services()));
    line(b, "disabledServices", String.join(" ", c.disabledServices()));
    Map<String, List<String>> triggers = new TreeMap<>(c.restartTriggers());
    triggers.forEach((service, paths) -> line(b, "restart." + service, String.join(" ", paths)));
    return b.toString();
  }

  /**
   * The digest of what one service reads when it starts: the content of each managed file among its
   * restart triggers and the role's package list (new binaries take effect on a restart too). A
   * node records it per service after the service started ({@code NodePlan.STARTED_DIR}); a running
   * service whose record differs runs an older configuration and is restarted.
   */
  public static String ofService(NodeConfig c, String service) {
    StringBuilder b = new StringBuilder();
    line(b, "service", service);
    List<String> triggers = c.restartTriggers().getOrDefault(service, List.of());
    for (ManagedFile f : c.files()) {
      if (triggers.contains(f.path())) {
        line(b, "file", f.path() + " " + Digests.desired(f));
      }
    }
    line(b, "packages", String.join(" ", new java.util.TreeSet<>(c.packages())));
    return "sha256:" + Digests.sha256(b.toString());
  }

  private static void line(StringBuilder b, String key, Object value) {
    b.append(key).append('=').append(value).append('\n');
  }
}
