package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterStatus;
import io.mesosoperator.testing.ControlPlane;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * On the real apiserver: a status computed for a cluster that was then deleted and re-created under
 * the same name is refused, and the new object keeps its own (empty) status; a status for the
 * object as it is lands, under the operator's field manager.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusUidPreconditionIT {
  private static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final String NS = "status-uid";

  private KubernetesClient client;

  @BeforeAll
  void start() throws Exception {
    ControlPlane cp = ControlPlane.shared();
    cp.installCrds(ROOT, NS);
    client = cp.client();
  }

  private MesosCluster fresh() {
    MesosCluster cluster =
        client
            .resources(MesosCluster.class)
            .load(getClass().getResourceAsStream("/clusters/tutorial-stub.yaml"))
            .item();
    cluster.getMetadata().setNamespace(NS);
    return client.resource(cluster).create();
  }

  private static MesosClusterStatus status(String masters) {
    MesosClusterStatus s = new MesosClusterStatus();
    s.setObservedGeneration(1L);
    s.setMasters(masters);
    return s;
  }

  @Test
  void aStatusForTheDeletedObjectNeverLandsOnItsSuccessor() {
    MesosCluster old = fresh();
    client.resource(old).withTimeout(30, TimeUnit.SECONDS).delete();
    MesosCluster successor = fresh();
    assertThat(successor.getMetadata().getUid()).isNotEqualTo(old.getMetadata().getUid());

    assertThatThrownBy(() -> StatusWriter.write(client, old, status("0/3")))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422));
    MesosCluster now = client.resource(successor).get();
    assertThat(now.getMetadata().getUid()).isEqualTo(successor.getMetadata().getUid());
    assertThat(now.getStatus() == null ? null : now.getStatus().getMasters()).isNull();

    StatusWriter.write(client, successor, status("3/3"));
    now = client.resource(successor).get();
    assertThat(now.getStatus().getMasters()).isEqualTo("3/3");
    assertThat(now.getMetadata().getManagedFields())
        .anySatisfy(
            f -> {
              assertThat(f.getManager()).isEqualTo(StatusWriter.FIELD_MANAGER);
              assertThat(f.getSubresource()).isEqualTo("status");
            });
    client.resource(successor).withTimeout(30, TimeUnit.SECONDS).delete();
  }
}
