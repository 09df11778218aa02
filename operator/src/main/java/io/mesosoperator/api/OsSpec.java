package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Operating system settings applied to every machine. */
public class OsSpec {

  @Default("true")
  @JsonPropertyDescription(
      "Upgrade the operating system's packages once, when a machine is first configured.")
  private boolean upgrade = true;

  @Default("true")
  @JsonPropertyDescription("Keep the clock synchronised (installs and enables chrony).")
  private boolean clockSync = true;

  public boolean isUpgrade() {
    return upgrade;
  }

  public void setUpgrade(boolean upgrade) {
    this.upgrade = upgrade;
  }

  public boolean isClockSync() {
    return clockSync;
  }

  public void setClockSync(boolean clockSync) {
    this.clockSync = clockSync;
  }
}
