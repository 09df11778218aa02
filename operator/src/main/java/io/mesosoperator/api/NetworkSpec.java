package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** The private network the cluster's machines share. */
public class NetworkSpec {

  @Pattern("^([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$")
  @JsonPropertyDescription(
      "Private IPv4 range of the cluster network in CIDR form (for example 10.213.0.0/24)."
          + " ZooKeeper, Mesos and Marathon internal ports are open only inside it. Empty: the"
          + " provider's default (the local provider picks 10.213.0.0/24).")
  private String cidr;

  public String getCidr() {
    return cidr;
  }

  public void setCidr(String cidr) {
    this.cidr = cidr;
  }
}
