package io.mesosoperator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's server-side apply: what it does as the apiserver does, and what it refuses. */
@MockApiServer
class MockApiDispatcherTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  KubernetesClient client;

  @BeforeEach
  void crds() throws Exception {
    try (InputStream in =
        Files.newInputStream(ROOT.resolve("crds/mesosclusters.mesosoperator.io.yaml"))) {
      CustomResourceDefinition crd =
          client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  private static MesosCluster cluster(ObjectMeta meta) {
    MesosCluster c = new MesosCluster();
    c.setMetadata(meta);
    return c;
  }

  private static ObjectMetaBuilder meta() {
    return new ObjectMetaBuilder().withName("c").withNamespace("test");
  }

  private MesosCluster apply(String manager, MesosCluster c) {
    return client.resource(c).fieldManager(manager).forceConflicts().serverSideApply();
  }

  private MesosCluster created() {
    MesosCluster c = cluster(meta().withLabels(java.util.Map.of("team", "mesos")).build());
    c.setSpec(new MesosClusterSpec());
    c.getSpec().getCloud().setProvider("stub");
    return client.resource(c).create();
  }

  @Test
  void aFinalizerAppliedAloneLeavesTheRestAndFinalizersAreASet() {
    MesosCluster before = created();
    MesosCluster status = client.resources(MesosCluster.class).withName("c").get();
    status.getStatus().setMasters("3/3");
    client.resource(status).updateStatus();

    // As JOSDK adds its finalizer: only name, namespace and the finalizer (and an empty status).
    MesosCluster after = apply("op", cluster(meta().withFinalizers("a").build()));
    assertThat(after.getMetadata().getFinalizers()).containsExactly("a");
    assertThat(after.getMetadata().getLabels()).containsEntry("team", "mesos");
    assertThat(after.getSpec().getCloud().getProvider()).isEqualTo("stub");
    assertThat(after.getStatus().getMasters()).as("status untouched").isEqualTo("3/3");
    assertThat(after.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());

    MesosCluster both = apply("other", cluster(meta().withFinalizers("b").build()));
    assertThat(both.getMetadata().getFinalizers()).containsExactly("a", "b");
    // The same apply again changes nothing.
    assertThat(apply("op", cluster(meta().withFinalizers("a").build())).getMetadata())
        .extracting(ObjectMeta::getFinalizers)
        .isEqualTo(List.of("a", "b"));
  }

  @Test
  void anApplyOfAMissingObjectCreatesIt() {
    MesosCluster c = cluster(meta().build());
    c.setSpec(new MesosClusterSpec());
    c.getSpec().getCloud().setProvider("stub");
    MesosCluster made = apply("argocd", c);
    assertThat(made.getMetadata().getUid()).isNotEmpty();
    assertThat(client.resources(MesosCluster.class).withName("c").get().getSpec().getCloud())
        .extracting(s -> s.getProvider())
        .isEqualTo("stub");
  }

  @Test
  void whatNeedsManagedFieldsIsRefusedNotGuessed() {
    created();
    apply("op", cluster(meta().withFinalizers("a").build()));
    // Leaving out what the same manager applied before: the apiserver would remove it.
    assertThatThrownBy(() -> apply("op", cluster(meta().build())))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(415))
        .hasMessageContaining(".metadata.finalizers[a]");
    // Without force a changed value may or may not conflict, depending on its owner.
    MesosCluster label = cluster(meta().withLabels(java.util.Map.of("team", "other")).build());
    assertThatThrownBy(() -> client.resource(label).fieldManager("x").serverSideApply())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(415))
        .hasMessageContaining(".metadata.labels.team");
    assertThat(client.resources(MesosCluster.class).withName("c").get().getMetadata())
        .satisfies(m -> assertThat(m.getLabels()).containsEntry("team", "mesos"))
        .satisfies(m -> assertThat(m.getFinalizers()).containsExactly("a"));
  }
}
