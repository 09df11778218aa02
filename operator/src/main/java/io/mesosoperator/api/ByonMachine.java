package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An existing machine adopted by the byon provider. */
public class ByonMachine {

  @Required
  @Size(min = 1, max = 63)
  @JsonPropertyDescription("Stable identifier of the machine.")
  private String id;

  @Required
  @Size(min = 1, max = 63)
  @JsonPropertyDescription("Name of the role this machine serves.")
  private String role;

  @Required
  @Size(min = 1, max = 45)
  @JsonPropertyDescription("Private address the operator and the other nodes reach it on.")
  private String privateAddress;

  @Size(max = 45)
  @JsonPropertyDescription("Public address, if it has one.")
  private String publicAddress;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getRole() {
    return role;
  }

  public void setRole(String role) {
    this.role = role;
  }

  public String getPrivateAddress() {
    return privateAddress;
  }

  public void setPrivateAddress(String privateAddress) {
    this.privateAddress = privateAddress;
  }

  public String getPublicAddress() {
    return publicAddress;
  }

  public void setPublicAddress(String publicAddress) {
    this.publicAddress = publicAddress;
  }
}
