package io.mesosoperator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SshdHardeningTest {
  private static final String OPERATOR = "10.213.170.1";
  private static final String OUTSIDE = "203.0.113.1";

  /** The observe script's lines for one login, all four settings "no" unless overridden. */
  private static void login(
      Map<String, String> m, int n, String user, String addr, String... overrides) {
    m.put(n + ".user", user);
    m.put(n + ".addr", addr);
    for (String k : SshdHardening.OFF) {
      m.put(n + "." + k, "no");
    }
    for (int i = 0; i < overrides.length; i += 2) {
      m.put(n + "." + overrides[i], overrides[i + 1]);
    }
  }

  private static Map<String, String> hardened() {
    Map<String, String> m = new LinkedHashMap<>();
    login(m, 0, "mesosadmin", OPERATOR);
    login(m, 1, "mesosadmin", OUTSIDE);
    login(m, 2, "root", OPERATOR);
    login(m, 3, "root", OUTSIDE);
    return m;
  }

  @Test
  void everyLoginHardenedIsNothingToReport() {
    assertThat(SshdHardening.violations(hardened())).isEmpty();
  }

  @Test
  void aMatchAddressBlockForTheOperatorsNetworkIsNamedWithItsLogins() {
    // Match Address 10.213.170.0/24 / PasswordAuthentication yes: only logins from there see it.
    Map<String, String> m = hardened();
    m.put("0.passwordauthentication", "yes");
    m.put("2.passwordauthentication", "yes");
    assertThat(SshdHardening.violations(m))
        .containsExactly(
            "passwordauthentication yes for mesosadmin from "
                + OPERATOR
                + "; root from "
                + OPERATOR);
  }

  @Test
  void aMatchUserRootBlockAllowingRootLoginIsNamed() {
    Map<String, String> m = hardened();
    m.put("2.permitrootlogin", "prohibit-password");
    m.put("3.permitrootlogin", "prohibit-password");
    m.put("3.kbdinteractiveauthentication", "yes");
    assertThat(SshdHardening.violations(m))
        .containsExactly(
            "permitrootlogin prohibit-password for root from " + OPERATOR + ", " + OUTSIDE,
            "kbdinteractiveauthentication yes for root from " + OUTSIDE);
  }

  @Test
  void differentValuesOfOneSettingAreNamedApartAndRootLoginCountsForRootAlone() {
    Map<String, String> m = hardened();
    // PermitRootLogin in a block for the admin changes nothing: only root logs in as root.
    m.put("1.permitrootlogin", "yes");
    m.put("2.passwordauthentication", "yes");
    m.put("3.passwordauthentication", "keyboard-interactive");
    assertThat(SshdHardening.violations(m))
        .containsExactly(
            "passwordauthentication yes for root from " + OPERATOR,
            "passwordauthentication keyboard-interactive for root from " + OUTSIDE);
  }

  @Test
  void aSettingAnOlderSshdDoesNotReportIsNotClaimed() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("0.user", "mesosadmin");
    m.put("0.addr", OUTSIDE);
    m.put("0.passwordauthentication", "no");
    m.put("0.permitrootlogin", "no");
    assertThat(SshdHardening.violations(m)).isEmpty();
    assertThat(SshdHardening.violations(Map.of())).isEmpty();
  }

  @Test
  void sshdThatCannotTellIsReportedOnlyWhenNoLoginWasAnswered() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("0.user", "mesosadmin");
    m.put("0.addr", OUTSIDE);
    m.put("0.error", "/etc/ssh/sshd_config line 9: Directive 'Foo' is not allowed");
    m.put("1.user", "root");
    m.put("1.addr", OUTSIDE);
    m.put("1.error", "/etc/ssh/sshd_config line 9: Directive 'Foo' is not allowed");
    assertThat(SshdHardening.violations(m))
        .containsExactly(
            "sshd -T could not tell its effective settings:"
                + " /etc/ssh/sshd_config line 9: Directive 'Foo' is not allowed");
    // One login answered (and hardened): the other's error alone claims nothing.
    login(m, 1, "root", OUTSIDE);
    m.remove("1.error");
    assertThat(SshdHardening.violations(m)).isEmpty();
  }

  @Test
  void aSingleGlobalAnswerIsReadWithoutLogins() {
    assertThat(
            SshdHardening.violations(
                Map.of("passwordauthentication", "yes", "permitrootlogin", "no")))
        .containsExactly("passwordauthentication yes");
  }
}
