package io.mesosoperator.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP address and CIDR checks that never touch DNS. */
final class Addresses {
  private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]{2,45}$");

  /** The RFC 1918 private ranges: 10/8, 172.16/12, 192.168/16. */
  private static final long[][] PRIVATE_BLOCKS = {
    {ipv4("10.0.0.0"), 8}, {ipv4("172.16.0.0"), 12}, {ipv4("192.168.0.0"), 16}
  };

  private Addresses() {}

  /**
   * The dotted-quad IPv4 address as an unsigned number, or -1. Leading zeros are refused: some
   * tools read them as octal.
   */
  static long ipv4(String text) {
    if (text == null || text.length() > 15) {
      return -1;
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return -1;
    }
    long value = 0;
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        return -1;
      }
      for (int i = 0; i < part.length(); i++) {
        if (part.charAt(i) < '0' || part.charAt(i) > '9') {
          return -1;
        }
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        return -1;
      }
      value = (value << 8) | octet;
    }
    return value;
  }

  static boolean isIpv4(String text) {
    return ipv4(text) >= 0;
  }

  /** An IPv4 or IPv6 literal. */
  static boolean isIp(String text) {
    if (isIpv4(text)) {
      return true;
    }
    // Only strings made of hex digits, ':' and '.' with a ':' reach InetAddress: for those it
    // parses a literal and never resolves a name.
    if (text == null || !IPV6_CHARS.matcher(text).matches() || text.indexOf(':') < 0) {
      return false;
    }
    try {
      return InetAddress.getByName(text).getAddress().length == 16;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** A parsed IPv4 CIDR range. */
  record Cidr(long address, int prefix) {
    long mask() {
      return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    long network() {
      return address & mask();
    }

    boolean hostBitsZero() {
      return address == network();
    }

    boolean contains(long ip) {
      return (ip & mask()) == network();
    }

    boolean isPrivate() {
      for (long[] block : PRIVATE_BLOCKS) {
        Cidr b = new Cidr(block[0], (int) block[1]);
        if (prefix >= b.prefix && b.contains(address)) {
          return true;
        }
      }
      return false;
    }

    /** Addresses left for machines: not the network, broadcast or gateway address. */
    long usableHosts() {
      return Math.max(0, (1L << (32 - prefix)) - 3);
    }

    String networkText() {
      long n = network();
      return ((n >> 24) & 255)
          + "."
          + ((n >> 16) & 255)
          + "."
          + ((n >> 8) & 255)
          + "."
          + (n & 255)
          + "/"
          + prefix;
    }
  }

  /**
   * Why the text is not an IPv4 ({@code a.b.c.d/n}) or IPv6 ({@code x::/n}) CIDR naming its network
   * (host bits zero), or null when it is one.
   */
  static String anyCidrProblem(String text) {
    String form =
        "must be an IPv4 or IPv6 range in CIDR form such as 203.0.113.0/24 or 2001:db8::/32";
    if (text == null || text.isEmpty() || text.length() > 43) {
      return form;
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return form;
    }
    if (text.indexOf(':') < 0) {
      Cidr cidr = cidr(text);
      if (cidr == null) {
        return form;
      }
      return cidr.hostBitsZero()
          ? null
          : "must name the network address, with the host bits zero: " + cidr.networkText();
    }
    String address = text.substring(0, slash);
    String prefixText = text.substring(slash + 1);
    if (!isIp(address)
        || isIpv4(address)
        || prefixText.isEmpty()
        || prefixText.length() > 3
        || !prefixText.chars().allMatch(Character::isDigit)
        || (prefixText.length() > 1 && prefixText.charAt(0) == '0')) {
      return form;
    }
    int prefix = Integer.parseInt(prefixText);
    if (prefix > 128) {
      return form;
    }
    try {
      byte[] raw = InetAddress.getByName(address).getAddress();
      if (raw.length != 16) {
        return form;
      }
      java.math.BigInteger value = new java.math.BigInteger(1, raw);
      if (prefix < 128
          && value.shiftRight(128 - prefix).shiftLeft(128 - prefix).compareTo(value) != 0) {
        return "must name the network address, with the host bits zero";
      }
    } catch (UnknownHostException e) {
      return form;
    }
    return null;
  }

  /** The CIDR, or null when the text is not {@code a.b.c.d/n}. */
  static Cidr cidr(String text) {
    if (text == null) {
      return null;
    }
    int slash = text.indexOf('/');
    if (slash < 0 || slash == text.length() - 1 || text.length() - slash > 3) {
      return null;
    }
    long address = ipv4(text.substring(0, slash));
    String prefixText = text.substring(slash + 1);
    if (address < 0 || !prefixText.chars().allMatch(Character::isDigit)) {
      return null;
    }
    if (prefixText.length() > 1 && prefixText.charAt(0) == '0') {
      return null;
    }
    int prefix = Integer.parseInt(prefixText);
    return prefix > 32 ? null : new Cidr(address, prefix);
  }
}
