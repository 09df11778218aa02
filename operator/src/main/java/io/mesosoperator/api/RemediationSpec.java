package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** When and how many broken nodes the operator replaces on its own. */
public class RemediationSpec {
  /** Go-style duration: one or more number-unit pairs, units h, m, s. */
  public static final String DURATION_PATTERN = "^([0-9]+(h|m|s))+$";

  @Default("10m")
  @Pattern(DURATION_PATTERN)
  @JsonPropertyDescription(
      "How long a node's Reachable condition must have been False before the node is replaced,"
          + " e.g. 10m, 1h30m (at least 1m). A machine that vanished from the cloud is replaced"
          + " without waiting.")
  private String unreachableAfter = "10m";

  @Default("1")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Most nodes being replaced at once over the whole cluster, vanished machines included."
          + " Masters are always replaced one at a time.")
  private int maxConcurrent = 1;

  public String getUnreachableAfter() {
    return unreachableAfter;
  }

  public void setUnreachableAfter(String unreachableAfter) {
    this.unreachableAfter = unreachableAfter;
  }

  public int getMaxConcurrent() {
    return maxConcurrent;
  }

  public void setMaxConcurrent(int maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
  }
}
