package io.mesosoperator.cloud.local;

import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private IPv4 range for the local provider's bridge. The first host address (.1 of a /24) is the
 * bridge's own; machines get the others. Pure value type.
 *
 * @param network network address as an unsigned 32-bit value
 * @param prefix prefix length, 16 to 29
 */
record Cidr(long network, int prefix) {

  private static final Pattern FORM =
      Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})$");

  /** Parses a CIDR; rejects ranges that are not RFC 1918 private, not aligned, or too small. */
  static Cidr parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("CIDR is missing");
    }
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not an IPv4 CIDR: " + text);
    }
    long addr = 0;
    for (int i = 1; i <= 4; i++) {
      int octet = Integer.parseInt(m.group(i));
      if (octet > 255) {
        throw new IllegalArgumentException("not an IPv4 CIDR: " + text);
      }
      addr = (addr << 8) | octet;
    }
    int prefix = Integer.parseInt(m.group(5));
    if (prefix < 16 || prefix > 29) {
      throw new IllegalArgumentException(
          "the local provider needs a prefix between /16 and /29, got " + text);
    }
    Cidr cidr = new Cidr(addr, prefix);
    if ((addr & cidr.mask()) != addr) {
      throw new IllegalArgumentException(
          text + " has host bits set; did you mean " + cidr.withHostBitsCleared() + "?");
    }
    // Only private ranges: the bridge route must never shadow a real network.
    boolean isPrivate =
        within(addr, prefix, 0x0A000000L, 8)
            || within(addr, prefix, 0xAC100000L, 12)
            || within(addr, prefix, 0xC0A80000L, 16);
    if (!isPrivate) {
      throw new IllegalArgumentException(
          text + " is not inside a private range (10/8, 172.16/12, 192.168/16)");
    }
    return cidr;
  }

  private static boolean within(long addr, int prefix, long net, int netPrefix) {
    long mask = maskOf(netPrefix);
    return prefix >= netPrefix && (addr & mask) == net;
  }

  private static long maskOf(int prefix) {
    return (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
  }

  long mask() {
    return maskOf(prefix);
  }

  private String withHostBitsCleared() {
    return format(network & mask()) + "/" + prefix;
  }

  /** The bridge's own address: the first host address. */
  String gateway() {
    return format(network + 1);
  }

  boolean contains(String address) {
    Optional<Long> a = parseAddress(address);
    return a.isPresent() && (a.get() & mask()) == network;
  }

  /** Lowest host address not in use, skipping the network, gateway and broadcast addresses. */
  Optional<String> lowestFree(Collection<String> used) {
    Set<String> taken = new HashSet<>(used);
    long broadcast = network | (~mask() & 0xFFFFFFFFL);
    for (long a = network + 2; a < broadcast; a++) {
      String s = format(a);
      if (!taken.contains(s)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  static Optional<Long> parseAddress(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    long v = 0;
    for (String p : parts) {
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
        return Optional.empty();
      }
      v = (v << 8) | Integer.parseInt(p);
    }
    return Optional.of(v);
  }

  static String format(long a) {
    return ((a >> 24) & 0xFF)
        + "."
        + ((a >> 16) & 0xFF)
        + "."
        + ((a >> 8) & 0xFF)
        + "."
        + (a & 0xFF);
  }

  @Override
  public String toString() {
    return format(network) + "/" + prefix;
  }
}
