package io.mesosoperator.plan;

/**
 * What the plan needs beyond the node's rendered configuration.
 *
 * @param admin the admin account to ensure, or null to leave accounts alone
 * @param allowHardening include the sshd hardening block; only true over a verified admin session
 */
public record PlanOptions(AdminAccount admin, boolean allowHardening) {

  /** No admin account, hardening allowed. */
  public static final PlanOptions DEFAULT = new PlanOptions(null, true);

  /**
   * The operator's own login on a node.
   *
   * @param user user name, validated by the caller
   * @param publicKey public key in authorized_keys form ("type base64 [comment]")
   */
  public record AdminAccount(String user, String publicKey) {
    /** The sudoers drop-in that gives the admin password-less sudo. */
    public static final String SUDOERS_PATH = "/etc/sudoers.d/mesos-operator";

    /** Home directory the operator uses for the admin. */
    public String home() {
      return "root".equals(user) ? "/root" : "/home/" + user;
    }

    /** "type base64" of the public key, the part that identifies it in authorized_keys. */
    public String keyMatch() {
      String[] parts = publicKey.trim().split("\\s+");
      return parts.length >= 2 ? parts[0] + " " + parts[1] : publicKey.trim();
    }
  }
}
