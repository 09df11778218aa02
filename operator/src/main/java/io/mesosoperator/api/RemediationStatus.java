package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Node replacements under way, as the operator recorded them when it started each. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class RemediationStatus {

  @JsonPropertyDescription("Nodes being replaced now.")
  private List<RemediatingNode> nodes = new ArrayList<>();

  @JsonPropertyDescription(
      "ZooKeeper ids of replaced masters: never given to a new master again, so an empty"
          + " member never rejoins under an id the others remember.")
  private List<Integer> retiredZooKeeperIds = new ArrayList<>();

  public List<RemediatingNode> getNodes() {
    return nodes;
  }

  public void setNodes(List<RemediatingNode> nodes) {
    this.nodes = nodes;
  }

  public List<Integer> getRetiredZooKeeperIds() {
    return retiredZooKeeperIds;
  }

  public void setRetiredZooKeeperIds(List<Integer> retiredZooKeeperIds) {
    this.retiredZooKeeperIds = retiredZooKeeperIds;
  }
}
