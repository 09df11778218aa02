package io.mesosoperator.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The spec's duration fields ({@code remediation.unreachableAfter}): format and bounds. */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("([0-9]+)(h|m|s)");

  /** Shortest {@code unreachableAfter}: a short network blip must not cost a machine. */
  public static final Duration MIN_UNREACHABLE_AFTER = Duration.ofMinutes(1);

  /**
   * Parses a Go-style duration of hours, minutes and seconds ({@code 10m}, {@code 1h30m}).
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static Duration parseDuration(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("must be a duration such as 10m or 1h30m");
    }
    Matcher m = DURATION.matcher(text);
    Duration total = Duration.ZERO;
    int at = 0;
    while (m.find() && m.start() == at) {
      if (m.group(1).length() > 9) {
        throw new IllegalArgumentException("is too long");
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
              });
      at = m.end();
    }
    if (at != text.length()) {
      throw new IllegalArgumentException("must be a duration such as 10m or 1h30m (units h, m, s)");
    }
    return total;
  }

  private Durations() {}
}
