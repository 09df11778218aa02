package io.mesosoperator.mesos;

import java.util.Locale;

/**
 * What one ZooKeeper member said about itself.
 *
 * @param state its role, or why it has none
 * @param zxid last zxid ({@code 0x...}), or null
 * @param version server version line, or null
 * @param detail a short human-readable note (errors, refusals)
 */
public record ZkMode(State state, String zxid, String version, String detail) {

  /** A member's state, from {@code srvr}/{@code mntr} or from the failure to ask. */
  public enum State {
    LEADER,
    FOLLOWER,
    OBSERVER,
    /** a single server without an ensemble */
    STANDALONE,
    /** up but without quorum: "not currently serving requests" */
    NOT_SERVING,
    /** up but the four-letter word is not in {@code 4lw.commands.whitelist} */
    NOT_ALLOWED,
    /** no answer at all */
    UNREACHABLE,
    /** an answer that could not be understood */
    UNKNOWN
  }

  public static ZkMode unreachable(String detail) {
    return new ZkMode(State.UNREACHABLE, null, null, detail);
  }

  /** Serving client requests (part of a quorum, or standalone). */
  public boolean serving() {
    return switch (state) {
      case LEADER, FOLLOWER, OBSERVER, STANDALONE -> true;
      default -> false;
    };
  }

  /**
   * Parses the answer to {@code srvr} (lines like {@code Mode: leader}, {@code Zxid: 0x...}) or
   * {@code mntr} (tab-separated {@code zk_server_state leader}).
   */
  public static ZkMode parse(String answer) {
    if (answer == null || answer.isBlank()) {
      return new ZkMode(State.UNKNOWN, null, null, "empty answer");
    }
    if (answer.contains("not currently serving requests")) {
      return new ZkMode(State.NOT_SERVING, null, null, "not currently serving requests");
    }
    if (answer.contains("not in the whitelist") || answer.contains("not executed because")) {
      return new ZkMode(
          State.NOT_ALLOWED, null, null, "four-letter word not in 4lw.commands.whitelist");
    }
    String mode = null;
    String zxid = null;
    String version = null;
    for (String line : answer.split("\r?\n")) {
      String key;
      String value;
      int colon = line.indexOf(':');
      int tab = line.indexOf('\t');
      if (line.startsWith("zk_") && tab > 0) {
        key = line.substring(0, tab).trim();
        value = line.substring(tab + 1).trim();
      } else if (colon > 0) {
        key = line.substring(0, colon).trim();
        value = line.substring(colon + 1).trim();
      } else {
        continue;
      }
      switch (key) {
        case "Mode", "zk_server_state" -> mode = value.toLowerCase(Locale.ROOT);
        case "Zxid", "zk_last_zxid" -> zxid = value;
        case "Zookeeper version", "zk_version" -> version = value;
        default -> {
          // other statistics are not needed for health
        }
      }
    }
    if (mode == null) {
      return new ZkMode(State.UNKNOWN, zxid, version, "no Mode in the answer");
    }
    State state =
        switch (mode) {
          case "leader" -> State.LEADER;
          case "follower" -> State.FOLLOWER;
          case "observer" -> State.OBSERVER;
          case "standalone" -> State.STANDALONE;
          default -> State.UNKNOWN;
        };
    return new ZkMode(state, zxid, version, state == State.UNKNOWN ? "mode " + mode : null);
  }
}
