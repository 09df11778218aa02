package io.mesosoperator.cloud;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * How a machine carries its cluster uid, node and role. Both ways are written where the provider
 * takes them, and read back metadata first:
 *
 * <ul>
 *   <li>user metadata with the keys {@link MachineProvider#TAG_CLUSTER_UID}, {@link
 *       MachineProvider#TAG_NODE}, {@link MachineProvider#TAG_ROLE} (stub, EC2 tags, GCE metadata);
 *   <li>tags as {@code key=value} strings with the same keys, for providers that keep tags but no
 *       metadata. Google Compute Engine's network tags cannot hold '=' or '.', so no tags are
 *       written there ({@link Style#NONE}); DigitalOcean's tags cannot hold '=' or '.' either, so
 *       they are written as {@code key:value} with '.' in the key turned into '_' ({@link
 *       Style#COLON}).
 * </ul>
 */
public final class MachineTags {

  /** How tags are spelled for a provider. */
  public enum Style {
    /** {@code mesos-operator.cluster-uid=<uid>}. */
    KEY_VALUE,
    /** {@code mesos-operator_cluster-uid:<uid>}. */
    COLON,
    /** No tags; metadata only. */
    NONE
  }

  private static final String[] KEYS = {
    MachineProvider.TAG_CLUSTER_UID, MachineProvider.TAG_NODE, MachineProvider.TAG_ROLE
  };

  private MachineTags() {}

  /** The tag style for a jclouds provider id. */
  public static Style styleFor(String provider) {
    return switch (provider) {
      case "google-compute-engine" -> Style.NONE;
      case "digitalocean2" -> Style.COLON;
      default -> Style.KEY_VALUE;
    };
  }

  /** The user metadata of a machine. */
  public static Map<String, String> metadata(String clusterUid, String node, String role) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(MachineProvider.TAG_CLUSTER_UID, clusterUid);
    m.put(MachineProvider.TAG_NODE, node);
    m.put(MachineProvider.TAG_ROLE, role);
    return m;
  }

  /** The tags of a machine in a style. */
  public static Set<String> tags(Style style, String clusterUid, String node, String role) {
    Set<String> out = new LinkedHashSet<>();
    if (style == Style.NONE) {
      return out;
    }
    metadata(clusterUid, node, role).forEach((k, v) -> out.add(tag(style, k, v)));
    return out;
  }

  /** One tag. */
  public static String tag(Style style, String key, String value) {
    return switch (style) {
      case KEY_VALUE -> key + "=" + value;
      case COLON -> key.replace('.', '_') + ":" + value;
      case NONE -> throw new IllegalArgumentException("no tags in style NONE");
    };
  }

  /**
   * Reads uid, node and role back: metadata first, then tags in any style. Missing keys are absent
   * from the result.
   */
  public static Map<String, String> read(Map<String, String> metadata, Set<String> tags) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : KEYS) {
      String v = metadata == null ? null : metadata.get(key);
      if (v == null && tags != null) {
        v = fromTags(tags, key);
      }
      if (v != null) {
        out.put(key, v);
      }
    }
    return out;
  }

  private static String fromTags(Set<String> tags, String key) {
    String kv = key + "=";
    String colon = key.replace('.', '_') + ":";
    for (String t : tags) {
      if (t.startsWith(kv)) {
        return t.substring(kv.length());
      }
      if (t.startsWith(colon)) {
        return t.substring(colon.length());
      }
    }
    return null;
  }
}
