package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A Marathon app the operator manages. */
public class AppStatus {
  @JsonPropertyDescription("Marathon app id.")
  private String id;

  @JsonPropertyDescription("Digest of the definition last sent to Marathon.")
  private String digest;

  @JsonPropertyDescription("Marathon's version of the app.")
  private String version;

  @JsonPropertyDescription("Deployment state: Deploying, Deployed or Failed.")
  private String deployment;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getDeployment() {
    return deployment;
  }

  public void setDeployment(String deployment) {
    this.deployment = deployment;
  }
}
