package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

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
}
