package io.mesosoperator.api;

import java.util.regex.Pattern;

/**
 * The one set of name rules shared by the CRD schema, validation and the SSH layer, which checks
 * again before a value reaches a remote command (so a value validation accepts always reaches the
 * node, and nothing else does).
 */
public final class Patterns {
  /** A Linux user name as {@code useradd} takes it. */
  public static final String SSH_USER_REGEX = "^[a-z_][a-z0-9_-]{0,31}$";

  /** A Debian package name, optionally pinned to a version ({@code name=version}). */
  public static final String PACKAGE_REGEX = "^[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+:~_-]+)?$";

  /**
   * An OpenPGP key id: short (8), long (16) or a full fingerprint (40 hexadecimal digits); empty in
   * the spec for a repository without a key. The SSH layer takes no empty id.
   */
  public static final String KEY_ID_REGEX = "^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40})?$";

  /** A key server host name; empty in the spec as for {@link #KEY_ID_REGEX}. */
  public static final String KEY_SERVER_REGEX = "^[A-Za-z0-9.-]*$";

  public static final Pattern SSH_USER = Pattern.compile(SSH_USER_REGEX);
  public static final Pattern PACKAGE = Pattern.compile(PACKAGE_REGEX);
  public static final Pattern KEY_ID = Pattern.compile(KEY_ID_REGEX);
  public static final Pattern KEY_SERVER = Pattern.compile(KEY_SERVER_REGEX);

  private Patterns() {}
}
