package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The cloud the machines run on. */
public class CloudSpec {

  @Required
  @ValidationRule(
      value = "self in " + Providers.CEL_LIST,
      message = "spec.cloud.provider must be one of " + Providers.CEL_LIST,
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Machine provider: a jclouds compute provider id (aws-ec2, digitalocean2,"
          + " google-compute-engine), stub (jclouds in-memory, for tests), byon (adopt the"
          + " machines listed in byon) or local (network namespaces on the operator's host).")
  private String provider;

  @Size(max = 63)
  @JsonPropertyDescription(
      "Region or zone, in the provider's own terms (for example eu-west-1). Empty: the"
          + " provider's default.")
  private String location;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Name of a Secret in the cluster's namespace with keys identity and credential for the"
          + " provider. Not needed for stub, byon and local.")
  private String credentialsSecret;

  @JsonPropertyDescription("The cluster's private network.")
  private NetworkSpec network = new NetworkSpec();

  @Size(max = 1000)
  @JsonPropertyDescription(
      "Existing machines to adopt when provider is byon. They are configured but never"
          + " destroyed.")
  private List<ByonMachine> byon = new ArrayList<>();

  public String getProvider() {
    return provider;
  }

  public void setProvider(String provider) {
    this.provider = provider;
  }

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
  }

  public String getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(String credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }

  public NetworkSpec getNetwork() {
    return network;
  }

  public void setNetwork(NetworkSpec network) {
    this.network = network;
  }

  public List<ByonMachine> getByon() {
    return byon;
  }

  public void setByon(List<ByonMachine> byon) {
    this.byon = byon;
  }
}
