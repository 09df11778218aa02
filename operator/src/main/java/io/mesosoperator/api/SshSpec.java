package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** How the operator reaches the machines. */
public class SshSpec {
  public static final String DEFAULT_USER = "mesosadmin";

  @Default(DEFAULT_USER)
  @Size(min = 1, max = 32)
  @Pattern("^[a-z_][a-z0-9_-]*$")
  @ValidationRule(
      value = "self != 'root'",
      message = "spec.ssh.user must not be root: root login is disabled on every node",
      reason = "FieldValueForbidden")
  @JsonPropertyDescription(
      "Admin user the operator creates on every machine (with the cluster's key and sudo) and"
          + " logs in as. Must not be root.")
  private String user = DEFAULT_USER;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Name of a Secret with the admin's private key under ssh-privatekey (an OpenSSH or PEM"
          + " ed25519, ECDSA or RSA key). Empty: the operator generates a key pair and keeps it"
          + " in a Secret it owns, named <cluster>-ssh.")
  private String keySecret;

  @Default("22")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("TCP port of sshd on the machines.")
  private int port = 22;

  @Default("true")
  @JsonPropertyDescription(
      "Disable password and root login on every node once the admin user's key login is"
          + " verified.")
  private boolean harden = true;

  public String getUser() {
    return user;
  }

  public void setUser(String user) {
    this.user = user;
  }

  public String getKeySecret() {
    return keySecret;
  }

  public void setKeySecret(String keySecret) {
    this.keySecret = keySecret;
  }

  public int getPort() {
    return port;
  }

  public void setPort(int port) {
    this.port = port;
  }

  public boolean isHarden() {
    return harden;
  }

  public void setHarden(boolean harden) {
    this.harden = harden;
  }
}
