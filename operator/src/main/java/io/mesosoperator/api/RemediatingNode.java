package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One node being replaced. */
public class RemediatingNode {
  @JsonPropertyDescription("MesosNode name.")
  private String node;

  @JsonPropertyDescription("master or agent.")
  private String roleType;

  @JsonPropertyDescription("Unreachable or MachineVanished.")
  private String reason;

  @JsonPropertyDescription("The machine being replaced.")
  private String machineId;

  @JsonPropertyDescription("ZooKeeper id of a master being replaced.")
  private Integer zkId;

  @JsonPropertyDescription("When the replacement started (RFC 3339).")
  private String started;

  public RemediatingNode() {}

  public RemediatingNode(
      String node, String roleType, String reason, String machineId, Integer zkId, String started) {
    this.node = node;
    this.roleType = roleType;
    this.reason = reason;
    this.machineId = machineId;
    this.zkId = zkId;
    this.started = started;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getRoleType() {
    return roleType;
  }

  public void setRoleType(String roleType) {
    this.roleType = roleType;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMachineId() {
    return machineId;
  }

  public void setMachineId(String machineId) {
    this.machineId = machineId;
  }

  public Integer getZkId() {
    return zkId;
  }

  public void setZkId(Integer zkId) {
    this.zkId = zkId;
  }

  public String getStarted() {
    return started;
  }

  public void setStarted(String started) {
    this.started = started;
  }
}
