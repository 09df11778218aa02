package io.mesosoperator.node;

import java.io.IOException;

/** Opens SSH sessions; the seam tests replace. */
public interface SshSessions {

  /**
   * Connects, verifies the host key against {@code pinnedHostKey} and logs in.
   *
   * @throws HostKeyMismatchException the node presented another key than the pinned one; no command
   *     was sent
   * @throws AuthenticationException the node refused the login
   * @throws IOException the node could not be reached
   */
  SshSession open(String host, int port, Login login, String pinnedHostKey) throws IOException;

  /**
   * Like {@link #open}, but may hand out a connection kept logged in from an earlier call with the
   * same address, port and login, made with the host key {@code pinnedHostKey} pins; closing the
   * session may keep its connection for the next call. Implementations without a pool open a new
   * connection. Meant for the admin's key login: callers use {@link #open} where a fresh login must
   * be proven (first login, verifying a new admin key).
   */
  default SshSession reuse(String host, int port, Login login, String pinnedHostKey)
      throws IOException {
    return open(host, port, login, pinnedHostKey);
  }

  /**
   * Like {@link #open}: always a new connection and a new login. Closing the session may keep the
   * connection for a later {@link #reuse} with the same login and pinned key.
   */
  default SshSession openReusable(String host, int port, Login login, String pinnedHostKey)
      throws IOException {
    return open(host, port, login, pinnedHostKey);
  }

  /**
   * How to log in. Secret fields are hidden by {@link #toString()}.
   *
   * @param user login user
   * @param privateKey private key (OpenSSH or PEM), or null
   * @param publicKey its public key, or null
   * @param password password, or null
   */
  record Login(String user, String privateKey, String publicKey, String password) {
    public static Login key(String user, String privateKey, String publicKey) {
      return new Login(user, privateKey, publicKey, null);
    }

    @Override
    public String toString() {
      return "Login[user=" + user + ", secrets=<redacted>]";
    }
  }

  /** The node's host key is not the pinned one. */
  final class HostKeyMismatchException extends IOException {
    private final String expected;
    private final String presented;

    public HostKeyMismatchException(String expected, String presented) {
      super("host key " + presented + " does not match the pinned " + expected);
      this.expected = expected;
      this.presented = presented;
    }

    public String expected() {
      return expected;
    }

    public String presented() {
      return presented;
    }
  }

  /** The node refused the login. */
  final class AuthenticationException extends IOException {
    private final String hostKey;

    public AuthenticationException(String message, String hostKey) {
      super(message);
      this.hostKey = hostKey;
    }

    /** The host key presented before the login was refused. */
    public String hostKey() {
      return hostKey;
    }
  }
}
