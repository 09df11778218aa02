package io.mesosoperator.cloud;

/**
 * First-login credentials a provider returns for a new machine. Secret: kept in a Secret the
 * operator owns, never in status or logs; {@link #toString()} hides the values.
 *
 * @param user login user
 * @param password password, or null
 * @param privateKey PEM/OpenSSH private key, or null
 */
public record LoginCredentials(String user, String password, String privateKey) {
  @Override
  public String toString() {
    return "LoginCredentials[user=" + user + ", secrets=<redacted>]";
  }
}
