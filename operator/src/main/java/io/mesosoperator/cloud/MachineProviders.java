package io.mesosoperator.cloud;

import io.mesosoperator.api.CloudSpec;
import io.mesosoperator.api.Providers;

/** Picks the {@link MachineProvider} for a cluster's cloud. */
public final class MachineProviders {

  private MachineProviders() {}

  /**
   * The provider for {@code cloud.provider}: byon adopts {@code cloud.byon}; every other id except
   * local is a jclouds provider.
   *
   * @param cloud the cluster's cloud
   * @param identity identity from the credentials Secret, or null (stub, byon)
   * @param credential credential from the credentials Secret, or null
   * @throws IllegalArgumentException for local (made elsewhere) or a missing provider id
   */
  public static MachineProvider forCloud(CloudSpec cloud, String identity, String credential)
      throws CloudException {
    String provider = cloud == null ? null : cloud.getProvider();
    if (provider == null || provider.isBlank()) {
      throw new IllegalArgumentException("spec.cloud.provider is required");
    }
    return switch (provider) {
      case Providers.BYON -> new ByonMachineProvider(cloud.getByon());
      case Providers.LOCAL ->
          throw new IllegalArgumentException(
              "the local provider is not made by MachineProviders; it is created elsewhere");
      // EC2 security groups and GCE firewall rules follow the jclouds group: one group per
      // role, so masters and agents get their own inbound ports.
      case "aws-ec2", "google-compute-engine" ->
          new JcloudsMachineProvider(provider, identity, credential).withGroupPerRole(true);
      default -> new JcloudsMachineProvider(provider, identity, credential);
    };
  }
}
