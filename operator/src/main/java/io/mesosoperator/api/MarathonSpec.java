package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Marathon on the masters and the apps it runs. */
public class MarathonSpec {

  @Size(max = 500)
  @PreserveUnknownFields
  @JsonPropertyDescription(
      "Marathon app definitions, as in Marathon's /v2/apps API; each needs an id. The operator"
          + " creates or updates each one.")
  private List<ObjectNode> apps = new ArrayList<>();

  @Default("false")
  @JsonPropertyDescription(
      "Delete apps from Marathon that the operator once deployed but that are no longer listed"
          + " in apps. Apps the operator never deployed are never touched.")
  private boolean pruneApps;

  public List<ObjectNode> getApps() {
    return apps;
  }

  public void setApps(List<ObjectNode> apps) {
    this.apps = apps;
  }

  public boolean isPruneApps() {
    return pruneApps;
  }

  public void setPruneApps(boolean pruneApps) {
    this.pruneApps = pruneApps;
  }
}
