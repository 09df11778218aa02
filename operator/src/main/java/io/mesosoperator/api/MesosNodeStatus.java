package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of one machine. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class MesosNodeStatus implements WithConditions {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "MachineReady, Reachable, Configured, ServicesRunning, HostKeyMismatch and the summary"
          + " Ready.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The provider's id of the machine.")
  private String machineId;

  @JsonPropertyDescription("Private IPv4 address.")
  private String privateAddress;

  @JsonPropertyDescription("Public address, when the provider gives one.")
  private String publicAddress;

  @JsonPropertyDescription("IPv6 address bound to the node's name in /etc/hosts, if any.")
  private String ipv6Address;

  @JsonPropertyDescription(
      "Pinned SSH host key fingerprint (SHA256:...). Connections presenting another key are"
          + " refused.")
  private String hostKey;

  @JsonPropertyDescription("Digest of the configuration last applied to the node.")
  private String configDigest;

  @JsonPropertyDescription("Number of changes made in the last configuration pass.")
  private Integer changesLastPass;

  @JsonPropertyDescription(
      "With the cluster's mesosoperator.io/plan-only annotation: what the operator would do on"
          + " this node (machine, files, packages, restarts), without doing it.")
  private List<String> plannedActions = new ArrayList<>();

  @JsonPropertyDescription(
      "Masters: the Mesos quorum the node was last configured with (effective value).")
  private Integer quorum;

  @JsonPropertyDescription(
      "Masters: ZooKeeper ids of the ensemble the node was last configured with (effective"
          + " value).")
  private List<Integer> ensemble;

  @JsonPropertyDescription(
      "Masters: true once ZooKeeper, mesos-master and Marathon were stopped and disabled for"
          + " good.")
  private Boolean fenced;

  @JsonPropertyDescription("Masters: the replicated-log epoch the node was last configured with.")
  private Integer logEpoch;

  @JsonPropertyDescription(
      "The last spec.restartGrant the node used: its restarts under that grant are done.")
  private Integer restartGrant;

  @JsonPropertyDescription(
      "The last mesosoperator.io/restart annotation value of this MesosNode that was honoured.")
  private String restartToken;

  @JsonPropertyDescription(
      "The last mesosoperator.io/restart annotation value of the MesosCluster that was honoured on"
          + " this node.")
  private String clusterRestartToken;

  public List<String> getPlannedActions() {
    return plannedActions;
  }

  public void setPlannedActions(List<String> plannedActions) {
    this.plannedActions = plannedActions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  @Override
  public List<Condition> getConditions() {
    return conditions;
  }

  @Override
  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public String getMachineId() {
    return machineId;
  }

  public void setMachineId(String machineId) {
    this.machineId = machineId;
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

  public String getIpv6Address() {
    return ipv6Address;
  }

  public void setIpv6Address(String ipv6Address) {
    this.ipv6Address = ipv6Address;
  }

  public String getHostKey() {
    return hostKey;
  }

  public void setHostKey(String hostKey) {
    this.hostKey = hostKey;
  }

  public String getConfigDigest() {
    return configDigest;
  }

  public void setConfigDigest(String configDigest) {
    this.configDigest = configDigest;
  }

  public Integer getChangesLastPass() {
    return changesLastPass;
  }

  public void setChangesLastPass(Integer changesLastPass) {
    this.changesLastPass = changesLastPass;
  }

  public Integer getQuorum() {
    return quorum;
  }

  public void setQuorum(Integer quorum) {
    this.quorum = quorum;
  }

  public List<Integer> getEnsemble() {
    return ensemble;
  }

  public void setEnsemble(List<Integer> ensemble) {
    this.ensemble = ensemble;
  }

  public Boolean getFenced() {
    return fenced;
  }

  public void setFenced(Boolean fenced) {
    this.fenced = fenced;
  }

  public Integer getLogEpoch() {
    return logEpoch;
  }

  public void setLogEpoch(Integer logEpoch) {
    this.logEpoch = logEpoch;
  }

  public Integer getRestartGrant() {
    return restartGrant;
  }

  public void setRestartGrant(Integer restartGrant) {
    this.restartGrant = restartGrant;
  }

  public String getRestartToken() {
    return restartToken;
  }

  public void setRestartToken(String restartToken) {
    this.restartToken = restartToken;
  }

  public String getClusterRestartToken() {
    return clusterRestartToken;
  }

  public void setClusterRestartToken(String clusterRestartToken) {
    this.clusterRestartToken = clusterRestartToken;
  }
}
