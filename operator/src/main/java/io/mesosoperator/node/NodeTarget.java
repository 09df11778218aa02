package io.mesosoperator.node;

import io.mesosoperator.cloud.LoginCredentials;

/**
 * How to reach one node.
 *
 * @param node MesosNode name (for logs and events)
 * @param address address the operator connects to
 * @param port sshd port
 * @param user admin user
 * @param privateKey the admin's private key (OpenSSH or PEM); secret
 * @param publicKey the admin's public key in authorized_keys form
 * @param pinnedHostKey host key fingerprint recorded earlier (SHA256:...), or null on first use
 * @param firstLogin credentials the provider returned for a new machine, or null
 * @param harden disable password and root login once the admin's key login is verified
 */
public record NodeTarget(
    String node,
    String address,
    int port,
    String user,
    String privateKey,
    String publicKey,
    String pinnedHostKey,
    LoginCredentials firstLogin,
    boolean harden) {
  @Override
  public String toString() {
    return "NodeTarget[" + node + " " + user + "@" + address + ":" + port + "]";
  }
}
