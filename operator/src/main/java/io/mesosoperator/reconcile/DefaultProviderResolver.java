package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.CloudSpec;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.Providers;
import io.mesosoperator.cloud.CachingMachineProvider;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineProviders;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds each cluster's provider once and keeps it while the cloud settings and the credentials
 * Secret stay the same. Credentials come from {@code spec.cloud.credentialsSecret} (keys {@code
 * identity} and {@code credential}); they never leave this class except into the provider.
 */
public final class DefaultProviderResolver implements ProviderResolver, AutoCloseable {
  /** How long one cloud listing serves node reconciles (see CachingMachineProvider). */
  public static final java.time.Duration LIST_TTL = java.time.Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final Path localStateDir;
  private final Map<String, Entry> providers = new ConcurrentHashMap<>();

  private record Entry(String key, MachineProvider provider) {}

  public DefaultProviderResolver(KubernetesClient client, Path localStateDir) {
    this.client = client;
    this.localStateDir = localStateDir;
  }

  @Override
  public MachineProvider resolve(MesosCluster cluster) throws CloudException {
    CloudSpec cloud = cluster.getSpec().getCloud();
    String ns = cluster.getMetadata().getNamespace();
    Secret credentials =
        cloud.getCredentialsSecret() == null
            ? null
            : client.secrets().inNamespace(ns).withName(cloud.getCredentialsSecret()).get();
    if (cloud.getCredentialsSecret() != null && credentials == null) {
      throw new CloudException(
          "Secret " + cloud.getCredentialsSecret() + " (spec.cloud.credentialsSecret) not found",
          false);
    }
    String key =
        String.join(
            "|",
            cloud.getProvider(),
            Objects.toString(cloud.getLocation()),
            Objects.toString(cloud.getNetwork().getCidr()),
            credentials == null ? "-" : credentials.getMetadata().getResourceVersion(),
            String.valueOf(Objects.hashCode(cloud.getByon())));
    Entry entry = providers.get(cluster.getMetadata().getUid());
    if (entry != null && entry.key().equals(key)) {
      return entry.provider();
    }
    // One listing per cluster serves a pass of node reconciles (see CachingMachineProvider).
    MachineProvider provider = new CachingMachineProvider(build(cluster, credentials), LIST_TTL);
    providers.put(cluster.getMetadata().getUid(), new Entry(key, provider));
    if (entry != null) {
      entry.provider().close();
    }
    return provider;
  }

  private MachineProvider build(MesosCluster cluster, Secret credentials) throws CloudException {
    CloudSpec cloud = cluster.getSpec().getCloud();
    if (Providers.LOCAL.equals(cloud.getProvider())) {
      try {
        ClusterKeys.Key key = new ClusterKeys(client).read(cluster);
        return new LocalMachineProvider(
            null,
            cloud.getNetwork().getCidr(),
            localStateDir,
            key == null ? null : key.publicKey(),
            key == null ? null : key.privateKey());
      } catch (IOException | IllegalArgumentException e) {
        throw new CloudException("local provider: " + e.getMessage(), false, e);
      }
    }
    String identity = value(credentials, "identity");
    String credential = value(credentials, "credential");
    if (identity == null && Providers.STUB.equals(cloud.getProvider())) {
      // jclouds keeps stub machines per identity: one in-memory cloud per cluster.
      identity = "stub-" + cluster.getMetadata().getUid();
      credential = "stub";
    }
    return MachineProviders.forCloud(cloud, identity, credential);
  }

  private static String value(Secret secret, String key) {
    if (secret == null) {
      return null;
    }
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return new String(
          Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(key);
  }

  @Override
  public void close() {
    providers.values().forEach(e -> e.provider().close());
    providers.clear();
  }
}
