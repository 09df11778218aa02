package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and did; written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class MesosClusterStatus implements WithConditions {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Ready sums up the others: MachinesReady, NodesConfigured, ZooKeeperQuorum,"
          + " MesosLeaderElected, AgentsRegistered, MarathonReady, Reconciling, Stalled,"
          + " ReconciliationPaused.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Ready masters / desired masters, for kubectl get.")
  private String masters;

  @JsonPropertyDescription("Ready agents / desired agents over all pools, for kubectl get.")
  private String agents;

  @JsonPropertyDescription("Counts per role.")
  private List<RoleStatus> roles = new ArrayList<>();

  @JsonPropertyDescription("The ZooKeeper URL Mesos uses (contents of /etc/mesos/zk).")
  private String zookeeperUrl;

  @JsonPropertyDescription("ZooKeeper ensemble: id (myid) to node and address.")
  private List<EnsembleMember> ensemble = new ArrayList<>();

  @JsonPropertyDescription("The leading Mesos master (host:port), as Mesos reports it.")
  private String mesosLeader;

  @JsonPropertyDescription("The leading Marathon instance (host:port), as Marathon reports it.")
  private String marathonLeader;

  @JsonPropertyDescription("Addresses of the Mesos and Marathon web interfaces.")
  private Endpoints endpoints;

  @JsonPropertyDescription("Marathon apps the operator manages and their deployment state.")
  private List<AppStatus> apps = new ArrayList<>();

  @JsonPropertyDescription("Name of the Secret holding the admin's SSH key.")
  private String sshKeySecret;

  @JsonPropertyDescription(
      "With the mesosoperator.io/plan-only annotation: the node and machine changes the operator"
          + " would make, without making them.")
  private List<String> plannedChanges = new ArrayList<>();

  @JsonPropertyDescription("Nodes being replaced (unreachable or vanished) and retired ids.")
  private RemediationStatus remediation;

  @JsonPropertyDescription("The last ZooKeeper backup taken before a master membership change.")
  private ZooKeeperBackupStatus zookeeperBackup;

  @JsonPropertyDescription(
      "True once the control plane formed (ZooKeeper quorum and an elected Mesos leader, or the"
          + " cluster Ready) for the first time. Before that, nodes apply changes and restart as"
          + " they converge; after it, restarts of running services roll (see"
          + " docs/rolling-restarts.md).")
  private Boolean established;

  public Boolean getEstablished() {
    return established;
  }

  public void setEstablished(Boolean established) {
    this.established = established;
  }

  public RemediationStatus getRemediation() {
    return remediation;
  }

  public void setRemediation(RemediationStatus remediation) {
    this.remediation = remediation;
  }

  public ZooKeeperBackupStatus getZookeeperBackup() {
    return zookeeperBackup;
  }

  public void setZookeeperBackup(ZooKeeperBackupStatus zookeeperBackup) {
    this.zookeeperBackup = zookeeperBackup;
  }

  public List<String> getPlannedChanges() {
    return plannedChanges;
  }

  public void setPlannedChanges(List<String> plannedChanges) {
    this.plannedChanges = plannedChanges;
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

  public String getMasters() {
    return masters;
  }

  public void setMasters(String masters) {
    this.masters = masters;
  }

  public String getAgents() {
    return agents;
  }

  public void setAgents(String agents) {
    this.agents = agents;
  }

  public List<RoleStatus> getRoles() {
    return roles;
  }

  public void setRoles(List<RoleStatus> roles) {
    this.roles = roles;
  }

  public String getZookeeperUrl() {
    return zookeeperUrl;
  }

  public void setZookeeperUrl(String zookeeperUrl) {
    this.zookeeperUrl = zookeeperUrl;
  }

  public List<EnsembleMember> getEnsemble() {
    return ensemble;
  }

  public void setEnsemble(List<EnsembleMember> ensemble) {
    this.ensemble = ensemble;
  }

  public String getMesosLeader() {
    return mesosLeader;
  }

  public void setMesosLeader(String mesosLeader) {
    this.mesosLeader = mesosLeader;
  }

  public String getMarathonLeader() {
    return marathonLeader;
  }

  public void setMarathonLeader(String marathonLeader) {
    this.marathonLeader = marathonLeader;
  }

  public Endpoints getEndpoints() {
    return endpoints;
  }

  public void setEndpoints(Endpoints endpoints) {
    this.endpoints = endpoints;
  }

  public List<AppStatus> getApps() {
    return apps;
  }

  public void setApps(List<AppStatus> apps) {
    this.apps = apps;
  }

  public String getSshKeySecret() {
    return sshKeySecret;
  }

  public void setSshKeySecret(String sshKeySecret) {
    this.sshKeySecret = sshKeySecret;
  }
}
