package io.mesosoperator.standin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads one-flag-per-file configuration the way the Mesos and Marathon packages' wrappers do
 * ({@code /etc/mesos-master/quorum} holds the value of {@code --quorum}), under a root prefix: the
 * project's {@code MESOS_OPERATOR_ROOT} convention (empty on real nodes).
 */
final class FlagFiles {

  /** Environment variable naming the root prefix (as in the node scripts). */
  static final String ROOT_ENV = "MESOS_OPERATOR_ROOT";

  /** System property fallback for in-process tests. */
  static final String ROOT_PROPERTY = "mesos.operator.root";

  private static final Pattern IPV4 =
      Pattern.compile(
          "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
  private static final Pattern HOST =
      Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?$");

  private final Path root;

  FlagFiles(Path root) {
    this.root = root;
  }

  /** The root from {@code MESOS_OPERATOR_ROOT}, else the system property, else "/" . */
  static Path defaultRoot() {
    String r = System.getenv(ROOT_ENV);
    if (r == null || r.isEmpty()) {
      r = System.getProperty(ROOT_PROPERTY, "");
    }
    return r.isEmpty() ? Path.of("/") : Path.of(r);
  }

  /** The host path of an absolute node path under the root. */
  Path file(String absolute) {
    return root.resolve(absolute.substring(1));
  }

  Optional<String> optional(String absolute) throws StandInConfigException {
    Path p = file(absolute);
    try {
      String v = Files.readString(p).strip();
      if (v.isEmpty()) {
        throw new StandInConfigException(absolute + " is empty");
      }
      return Optional.of(v);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StandInConfigException("cannot read " + absolute + ": " + e.getMessage());
    }
  }

  String required(String absolute) throws StandInConfigException {
    return optional(absolute)
        .orElseThrow(() -> new StandInConfigException("required file " + absolute + " is missing"));
  }

  static String ipv4(String absolute, String value) throws StandInConfigException {
    if (!IPV4.matcher(value).matches()) {
      throw new StandInConfigException(
          absolute + " must hold an IPv4 address, not '" + value + "'");
    }
    return value;
  }

  static String host(String absolute, String value) throws StandInConfigException {
    if (!HOST.matcher(value).matches()) {
      throw new StandInConfigException(
          absolute + " must hold a host name or address: '" + value + "'");
    }
    return value;
  }

  static int port(String absolute, String value) throws StandInConfigException {
    int p = positive(absolute, value);
    if (p > 65535) {
      throw new StandInConfigException(absolute + " must hold a TCP port, not '" + value + "'");
    }
    return p;
  }

  static int positive(String absolute, String value) throws StandInConfigException {
    try {
      int n = Integer.parseInt(value);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new StandInConfigException(
          absolute + " must hold a positive integer, not '" + value + "'");
    }
  }
}
