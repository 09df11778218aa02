package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Counts for one role. */
public class RoleStatus {
  @JsonPropertyDescription("Role name.")
  private String name;

  @JsonPropertyDescription("Role type: master or agent.")
  private RoleType type;

  @JsonPropertyDescription("Machines wanted.")
  private int desired;

  @JsonPropertyDescription("Machines that exist in the cloud.")
  private int machines;

  @JsonPropertyDescription("Nodes whose Ready condition is True.")
  private int ready;

  public RoleStatus() {}

  public RoleStatus(String name, RoleType type, int desired, int machines, int ready) {
    this.name = name;
    this.type = type;
    this.desired = desired;
    this.machines = machines;
    this.ready = ready;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public RoleType getType() {
    return type;
  }

  public void setType(RoleType type) {
    this.type = type;
  }

  public int getDesired() {
    return desired;
  }

  public void setDesired(int desired) {
    this.desired = desired;
  }

  public int getMachines() {
    return machines;
  }

  public void setMachines(int machines) {
    this.machines = machines;
  }

  public int getReady() {
    return ready;
  }

  public void setReady(int ready) {
    this.ready = ready;
  }
}
