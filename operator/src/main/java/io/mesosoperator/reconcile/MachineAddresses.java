package io.mesosoperator.reconcile;

import io.mesosoperator.cloud.Machine;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Addresses come from the cloud, not from the user, and end up in node files ({@code /etc/hosts},
 * {@code zoo.cfg}, the Mesos and Marathon settings) and in status: anything but a plain address is
 * refused before it is recorded, so a newline or shell syntax from a provider never reaches a node.
 */
final class MachineAddresses {
  private static final Pattern IPV4 =
      Pattern.compile(
          "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$");
  private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]{2,45}$");
  private static final Pattern HOST =
      Pattern.compile(
          "^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$");

  private MachineAddresses() {}

  /** Which address of the machine is not a plain address, or null when all are fine. */
  static String problem(Machine machine) {
    if (machine.privateAddress() != null && !IPV4.matcher(machine.privateAddress()).matches()) {
      return "private address is not an IPv4 address";
    }
    String pub = machine.publicAddress();
    if (pub != null && !IPV4.matcher(pub).matches() && !ipv6(pub) && !host(pub)) {
      return "public address is neither an IP address nor a DNS name";
    }
    if (machine.ipv6Address() != null && !ipv6(machine.ipv6Address())) {
      return "IPv6 address is not an IPv6 address";
    }
    return null;
  }

  private static boolean host(String text) {
    return text.length() <= 253 && HOST.matcher(text).matches() && !text.matches("^[0-9.]+$");
  }

  private static boolean ipv6(String text) {
    // Only hex digits, ':' and '.' with a ':' reach InetAddress: it parses them as a literal and
    // never resolves a name.
    if (!IPV6_CHARS.matcher(text).matches() || text.indexOf(':') < 0) {
      return false;
    }
    try {
      return InetAddress.getByName(text).getAddress().length == 16;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
