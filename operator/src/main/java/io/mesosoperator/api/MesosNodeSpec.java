package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** Set by the operator when it creates the node. */
public class MesosNodeSpec {
  @Required
  @JsonPropertyDescription("Name of the owning MesosCluster.")
  private String cluster;

  @Required
  @JsonPropertyDescription("Name of the role in the cluster's spec.roles.")
  private String role;

  @Required
  @JsonPropertyDescription("Type of the role: master or agent.")
  private RoleType roleType;

  @Min(0)
  @JsonPropertyDescription("Ordinal of the node within its role, from 0.")
  private int ordinal;

  @Min(1)
  @Max(255)
  @JsonPropertyDescription("ZooKeeper id (myid) of a master; never reused while its member exists.")
  private Integer zkId;

  @Min(1)
  @Max(255)
  @JsonPropertyDescription(
      "Masters: the Mesos --quorum this master must run with. Written by the operator while it"
          + " scales the masters; unset means a strict majority of the cluster's masters.")
  private Integer quorum;

  @JsonPropertyDescription(
      "Masters: ZooKeeper ids of the ensemble this master's zoo.cfg, /etc/mesos/zk and Marathon"
          + " ZooKeeper URLs list. Written by the operator while it scales the masters; unset"
          + " means every master of the cluster.")
  private List<@Min(1) @Max(255) Integer> ensemble;

  @JsonPropertyDescription(
      "Masters being removed: ZooKeeper, mesos-master and Marathon are stopped and disabled for"
          + " good before the node and its machine are deleted.")
  private Boolean fenced;

  @Min(0)
  @JsonPropertyDescription(
      "Masters: replicated-log epoch. Above 0, mesos-master runs with the fresh work_dir"
          + " /var/lib/mesos/log-epoch-<n> (an empty replicated log); see docs/master-scaling.md.")
  private Integer logEpoch;

  @Min(0)
  @JsonPropertyDescription(
      "Written by the operator: this node's turn to restart its services. A value above"
          + " status.restartGrant lets the node apply changes that restart running services (and"
          + " honour a requested restart) once; see docs/rolling-restarts.md.")
  private Integer restartGrant;

  @JsonPropertyDescription(
      "Operator-written (remediation): the id of a machine to destroy, when it still exists, and"
          + " replace with a new one; see docs/remediation.md.")
  private String replaceMachine;

  public String getCluster() {
    return cluster;
  }

  public void setCluster(String cluster) {
    this.cluster = cluster;
  }

  public String getRole() {
    return role;
  }

  public void setRole(String role) {
    this.role = role;
  }

  public RoleType getRoleType() {
    return roleType;
  }

  public void setRoleType(RoleType roleType) {
    this.roleType = roleType;
  }

  public int getOrdinal() {
    return ordinal;
  }

  public void setOrdinal(int ordinal) {
    this.ordinal = ordinal;
  }

  public Integer getZkId() {
    return zkId;
  }

  public void setZkId(Integer zkId) {
    this.zkId = zkId;
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

  public String getReplaceMachine() {
    return replaceMachine;
  }

  public void setReplaceMachine(String replaceMachine) {
    this.replaceMachine = replaceMachine;
  }
}
