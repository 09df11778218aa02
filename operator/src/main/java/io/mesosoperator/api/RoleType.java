package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a role's machines run. */
public enum RoleType {
  /** ZooKeeper, mesos-master and Marathon. */
  @JsonProperty("master")
  MASTER,
  /** mesos-slave (the Mesos agent). */
  @JsonProperty("agent")
  AGENT;

  /** The value as written in YAML. */
  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
