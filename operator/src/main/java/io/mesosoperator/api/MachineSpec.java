package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Quantity;

/** Size and image of a machine; mapped to the provider's closest size. */
public class MachineSpec {

  @Default("2")
  @Min(1)
  @Max(512)
  @JsonPropertyDescription("Minimum number of virtual CPUs.")
  private int cpus = 2;

  @JsonPropertyDescription(
      "Minimum memory, as a Kubernetes quantity (for example 4Gi). Unset: 4Gi.")
  private Quantity memory;

  @JsonPropertyDescription("Minimum root disk, as a Kubernetes quantity (for example 20Gi).")
  private Quantity disk;

  @Size(max = 253)
  @JsonPropertyDescription(
      "Image id in the provider's terms. Unset: the provider's Ubuntu image closest to the"
          + " tutorial's.")
  private String image;

  public int getCpus() {
    return cpus;
  }

  public void setCpus(int cpus) {
    this.cpus = cpus;
  }

  public Quantity getMemory() {
    return memory;
  }

  public void setMemory(Quantity memory) {
    this.memory = memory;
  }

  public Quantity getDisk() {
    return disk;
  }

  public void setDisk(Quantity disk) {
    this.disk = disk;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }
}
