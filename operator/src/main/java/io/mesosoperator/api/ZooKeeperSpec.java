package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * ZooKeeper on the masters. The ports must differ; a clash is reported on the later port in the
 * order client, peer, election, admin (as the validator does), so the apiserver names that field.
 */
@ValidationRule(
    value = "self.peerPort != self.clientPort",
    message = "ZooKeeper ports must be distinct; peerPort is also clientPort",
    reason = "FieldValueDuplicate",
    fieldPath = ".peerPort")
@ValidationRule(
    value = "self.electionPort != self.clientPort && self.electionPort != self.peerPort",
    message = "ZooKeeper ports must be distinct; electionPort is also clientPort or peerPort",
    reason = "FieldValueDuplicate",
    fieldPath = ".electionPort")
@ValidationRule(
    value =
        "self.adminPort != self.clientPort && self.adminPort != self.peerPort"
            + " && self.adminPort != self.electionPort",
    message =
        "ZooKeeper ports must be distinct; adminPort is also clientPort, peerPort or electionPort",
    reason = "FieldValueDuplicate",
    fieldPath = ".adminPort")
public class ZooKeeperSpec {

  @Default("2181")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port clients (Mesos, Marathon) connect to.")
  private int clientPort = 2181;

  @Default("2888")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port followers use to talk to the leader.")
  private int peerPort = 2888;

  @Default("3888")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port used for leader election.")
  private int electionPort = 3888;

  @Default("8081")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription(
      "Port of ZooKeeper's AdminServer (3.5 and later), moved off 8080 where Marathon listens.")
  private int adminPort = 8081;

  public int getClientPort() {
    return clientPort;
  }

  public void setClientPort(int clientPort) {
    this.clientPort = clientPort;
  }

  public int getPeerPort() {
    return peerPort;
  }

  public void setPeerPort(int peerPort) {
    this.peerPort = peerPort;
  }

  public int getElectionPort() {
    return electionPort;
  }

  public void setElectionPort(int electionPort) {
    this.electionPort = electionPort;
  }

  public int getAdminPort() {
    return adminPort;
  }

  public void setAdminPort(int adminPort) {
    this.adminPort = adminPort;
  }
}
