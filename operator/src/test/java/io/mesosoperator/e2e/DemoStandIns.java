package io.mesosoperator.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.standin.StandIns;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's clearly separate step that stands in for Mesos and Marathon packages: puts the TEST
 * STAND-INS (init scripts and classes of test scope) into every machine the operator (the shipped
 * jar, another process) makes with the local provider, as {@link LocalCluster} does in the tests.
 * It finds the clusters through the Kubernetes API ({@code KUBECONFIG}) and the machines in the
 * operator's state directory. Runs until killed.
 *
 * <p>Usage: {@code DemoStandIns STATE_DIR} (the operator's {@code --local-state-dir}).
 */
public final class DemoStandIns {
  private DemoStandIns() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: DemoStandIns STATE_DIR");
      System.exit(2);
    }
    Path stateDir = Path.of(args[0]);
    List<Path> classpath = StandIns.standInClasspath();
    Set<String> installed = ConcurrentHashMap.newKeySet();
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          for (MesosCluster c :
              client.resources(MesosCluster.class).inAnyNamespace().list().getItems()) {
            var network = c.getSpec().getCloud().getNetwork();
            String cidr = network == null ? null : network.getCidr();
            try (LocalMachineProvider local =
                new LocalMachineProvider(null, cidr, stateDir, null, null)) {
              LocalCluster.installStandIns(
                  local, c.getMetadata().getUid(), classpath, installed, false, () -> false);
            }
          }
        } catch (RuntimeException e) {
          System.err.println("stand-ins: " + e.getMessage() + " (trying again)");
        }
        Thread.sleep(300);
      }
    }
  }
}
