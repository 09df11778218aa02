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
 * @param restartsHeld the node has no restart turn: a plan that would restart a running service on
 *     a node converged before is not applied (Configured=False, AwaitingRestartTurn)
 * @param restartAll a requested restart: restart every running managed service once (with a turn)
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
    boolean harden,
    boolean restartsHeld,
    boolean restartAll) {

  /** Reason of Configured=False while a disruptive plan waits for the node's restart turn. */
  public static final String AWAITING_RESTART_TURN = "AwaitingRestartTurn";

  /** A target whose restarts are never held (callers without rolling restarts). */
  public NodeTarget(
      String node,
      String address,
      int port,
      String user,
      String privateKey,
      String publicKey,
      String pinnedHostKey,
      LoginCredentials firstLogin,
      boolean harden) {
    this(
        node,
        address,
        port,
        user,
        privateKey,
        publicKey,
        pinnedHostKey,
        firstLogin,
        harden,
        false,
        false);
  }

  @Override
  public String toString() {
    return "NodeTarget[" + node + " " + user + "@" + address + ":" + port + "]";
  }
}
