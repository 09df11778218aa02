package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The private network the cluster's machines share, and who may reach their public ports. */
public class NetworkSpec {

  @Pattern("^([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$")
  @JsonPropertyDescription(
      "Private IPv4 range of the cluster network in CIDR form (for example 10.213.0.0/24)."
          + " ZooKeeper, Mesos and Marathon internal ports are open only inside it. Empty: the"
          + " provider's default (the local provider picks 10.213.0.0/24), and each node's host"
          + " firewall admits the internal ports from the cluster's own machines only.")
  private String cidr;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Sources (IPv4 or IPv6 CIDRs, for example 203.0.113.0/24) allowed to reach each role's"
          + " public ports (spec.roles[].ports: 22, 5050 and 8080 on masters by default)."
          + " Empty: anywhere. Mesos 5050 and Marathon 8080 run tasks for anyone who reaches"
          + " them; the operator warns (event PublicPortsOpenToAll) while this is empty. The"
          + " operator's own SSH session stays admitted either way.")
  private List<@Size(max = 43) String> allowedSources;

  public String getCidr() {
    return cidr;
  }

  public void setCidr(String cidr) {
    this.cidr = cidr;
  }

  public List<String> getAllowedSources() {
    return allowedSources;
  }

  public void setAllowedSources(List<String> allowedSources) {
    this.allowedSources = allowedSources;
  }
}
