package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * How changes that restart services on configured nodes are rolled out: masters one at a time, the
 * leaders last; agents after the masters, in batches. See docs/rolling-restarts.md.
 */
public class RolloutSpec {

  @Default("1")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription(
      "How many agents may be unavailable at a time while a change restarts their services"
          + " (agents already down count); masters always go one at a time.")
  private int agentBatchSize = 1;

  @Default("false")
  @JsonPropertyDescription(
      "Roll restarts even while ZooKeeperQuorum or MesosLeaderElected is False (still one master"
          + " at a time). For pushing a fix to a cluster that is already unhealthy.")
  private boolean ignoreHealth;

  public int getAgentBatchSize() {
    return agentBatchSize;
  }

  public void setAgentBatchSize(int agentBatchSize) {
    this.agentBatchSize = agentBatchSize;
  }

  public boolean isIgnoreHealth() {
    return ignoreHealth;
  }

  public void setIgnoreHealth(boolean ignoreHealth) {
    this.ignoreHealth = ignoreHealth;
  }
}
