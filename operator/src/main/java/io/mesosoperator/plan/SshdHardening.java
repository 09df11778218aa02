package io.mesosoperator.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Whether sshd's effective settings agree with the hardening. Pure: reads what the observe script
 * reported ({@link Observation#sshd}).
 *
 * <p>The script asks {@code sshd -T -C user=…,host=…,addr=…,laddr=…,lport=…} once per login that
 * matters (the admin, root and a few other accounts with a login shell, each from the operator's
 * address and from an outside one), because {@code sshd -T} without {@code -C} skips every {@code
 * Match} block: a block that turns passwords back on for one user or one network would go unseen.
 * Each login is reported as {@code N.user}, {@code N.addr} and {@code N.<setting>}, or {@code
 * N.error} when sshd could not tell; keys without an index (a single global answer) are read as one
 * login of unknown user and address.
 */
public final class SshdHardening {

  /** What the hardening turns off, as {@code sshd -T} names the settings; each must be "no". */
  public static final List<String> OFF =
      List.of(
          "passwordauthentication",
          "permitrootlogin",
          "kbdinteractiveauthentication",
          "challengeresponseauthentication");

  private static final String ROOT_LOGIN = "permitrootlogin";

  private SshdHardening() {}

  /** One login sshd was asked about and what it answered. */
  record Login(String user, String addr, Map<String, String> settings, String error) {}

  /**
   * Where the effective settings differ from the hardening, one item per setting and value, naming
   * the logins it applies to (e.g. {@code passwordauthentication yes for mesosadmin from
   * 10.0.0.1}); empty when they agree or sshd reported nothing. A setting sshd does not report (an
   * older OpenSSH without it) is not claimed. When sshd answered for no login at all, the item says
   * that it could not tell and why: a configuration sshd -T refuses is one sshd will refuse at its
   * next restart.
   */
  public static List<String> violations(Map<String, String> sshd) {
    List<Login> logins = logins(sshd);
    // setting value -> user -> addresses, in the order they were reported.
    Map<String, Map<String, Set<String>>> bad = new LinkedHashMap<>();
    boolean anyAnswer = false;
    String firstError = null;
    for (Login l : logins) {
      if (l.error() != null) {
        firstError = firstError == null ? l.error() : firstError;
        continue;
      }
      anyAnswer |= !l.settings().isEmpty();
      for (String key : OFF) {
        if (key.equals(ROOT_LOGIN) && !l.user().isEmpty() && !l.user().equals("root")) {
          // Applies to root's logins alone: what sshd says for another user's changes nothing.
          continue;
        }
        String v = l.settings().get(key);
        if (v != null && !v.isEmpty() && !"no".equals(v)) {
          bad.computeIfAbsent(key + " " + v, k -> new LinkedHashMap<>())
              .computeIfAbsent(l.user(), k -> new LinkedHashSet<>())
              .add(l.addr());
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String key : OFF) {
      bad.forEach(
          (setting, who) -> {
            if (setting.startsWith(key + " ")) {
              out.add(setting + describe(who));
            }
          });
    }
    if (!anyAnswer && firstError != null) {
      out.add("sshd -T could not tell its effective settings: " + firstError);
    }
    return out;
  }

  private static String describe(Map<String, Set<String>> who) {
    List<String> parts = new ArrayList<>();
    who.forEach(
        (user, addrs) -> {
          if (user.isEmpty()) {
            return;
          }
          List<String> known = addrs.stream().filter(a -> !a.isEmpty()).toList();
          parts.add(user + (known.isEmpty() ? "" : " from " + String.join(", ", known)));
        });
    return parts.isEmpty() ? "" : " for " + String.join("; ", parts);
  }

  /** The reported logins in index order; un-indexed keys make one login of their own. */
  static List<Login> logins(Map<String, String> sshd) {
    Map<Integer, Map<String, String>> byIndex = new TreeMap<>();
    Map<String, String> global = new LinkedHashMap<>();
    sshd.forEach(
        (k, v) -> {
          int dot = k.indexOf('.');
          if (dot > 0 && k.substring(0, dot).matches("\\d{1,4}")) {
            byIndex
                .computeIfAbsent(Integer.parseInt(k.substring(0, dot)), i -> new LinkedHashMap<>())
                .put(k.substring(dot + 1), v);
          } else if (dot < 0) {
            global.put(k, v);
          }
        });
    List<Login> out = new ArrayList<>();
    if (!global.isEmpty()) {
      out.add(new Login("", "", global, null));
    }
    for (Map<String, String> m : byIndex.values()) {
      Map<String, String> settings = new LinkedHashMap<>(m);
      String user = settings.remove("user");
      String addr = settings.remove("addr");
      String error = settings.remove("error");
      out.add(
          new Login(
              user == null ? "" : user,
              addr == null ? "" : addr,
              settings,
              error == null || error.isEmpty() ? null : error));
    }
    return out;
  }
}
