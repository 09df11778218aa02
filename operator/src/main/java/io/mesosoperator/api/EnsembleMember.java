package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One ZooKeeper member. */
public class EnsembleMember {
  @JsonPropertyDescription("ZooKeeper id (myid), 1 to 255.")
  private int id;

  @JsonPropertyDescription("MesosNode name.")
  private String node;

  @JsonPropertyDescription("Private address the ensemble uses.")
  private String address;

  public EnsembleMember() {}

  public EnsembleMember(int id, String node, String address) {
    this.id = id;
    this.node = node;
    this.address = address;
  }

  public int getId() {
    return id;
  }

  public void setId(int id) {
    this.id = id;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }
}
