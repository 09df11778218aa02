package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.javaoperatorsdk.operator.processing.retry.Retry;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.NodeConfigurer;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator: both reconcilers on one JOSDK {@link Operator}, with JOSDK's defaults for the
 * primary resources: it adds its finalizer by server-side apply of just that finalizer, under the
 * controllers' field manager {@value StatusWriter#FIELD_MANAGER}, and removes it with a JSON patch.
 * The reconcilers never ask JOSDK to write a resource or its status ({@code noUpdate}); status
 * writes are {@link StatusWriter}'s, under the same field manager. The client's user agent ({@link
 * #USER_AGENT}) gives the API server that manager name for the writes that name none (the finalizer
 * removal, MesosNode specs), so a GitOps tool applying a cluster's spec shares the object with one
 * other manager, which owns only the status and the finalizer.
 */
public final class OperatorRuntime implements AutoCloseable {
  /**
   * The user agent of the operator's client: the API server names the field manager of a write that
   * names none after it (up to the first {@code /}).
   */
  public static final String USER_AGENT = StatusWriter.FIELD_MANAGER + "/v1alpha1";

  /**
   * Start-up settings.
   *
   * @param namespaces namespaces to watch; empty means all
   * @param leaseName Lease name for leader election, or null for none
   * @param leaseNamespace namespace of the Lease
   * @param threads reconciliations (and so SSH sessions) running at once
   * @param resync how often a converged resource is observed again (drift, health)
   */
  public record Settings(
      Set<String> namespaces,
      String leaseName,
      String leaseNamespace,
      int threads,
      Duration resync) {
    public static Settings defaults() {
      return new Settings(Set.of(), null, null, 16, Duration.ofSeconds(60));
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  /**
   * What a replica that lost its leadership does by default: the process exits with status 1 (its
   * shutdown hooks run: the operator stops, the pod restarts as a standby), so no reconcile of a
   * former leader runs beside the new leader's. On a thread of its own: the leader elector's thread
   * must not block in {@link System#exit} while the shutdown hook stops the operator.
   */
  public static final Runnable EXIT_ON_LOST_LEADERSHIP =
      () -> new Thread(() -> System.exit(1), "lost-leadership-exit").start();

  private final Operator operator;
  private final NodeConfigurer configurer;
  private final Runnable leadershipLost;
  private volatile boolean closing;

  public OperatorRuntime(
      KubernetesClient client,
      ProviderResolver providers,
      NodeConfigurer configurer,
      DesiredConfig desired,
      ClusterObserver observer,
      OperatorMetrics metrics,
      Clock clock,
      Settings settings) {
    this(
        client,
        providers,
        configurer,
        desired,
        observer,
        metrics,
        clock,
        settings,
        EXIT_ON_LOST_LEADERSHIP);
  }

  /**
   * With leader election, {@code leadershipLost} runs when this replica stops leading while it was
   * not being closed: the Lease was taken over or could not be renewed in time. It must end
   * reconciling at once (the default, {@link #EXIT_ON_LOST_LEADERSHIP}, ends the process). Closing
   * a leader releases nothing and calls nothing: JOSDK's own handling would call {@code
   * System.exit} then as well, which inside a shutdown hook (SIGTERM) blocks, and in-process
   * (tests, an embedding application) ends the whole JVM.
   */
  public OperatorRuntime(
      KubernetesClient client,
      ProviderResolver providers,
      NodeConfigurer configurer,
      DesiredConfig desired,
      ClusterObserver observer,
      OperatorMetrics metrics,
      Clock clock,
      Settings settings,
      Runnable leadershipLost) {
    this.configurer = configurer;
    this.leadershipLost = leadershipLost;
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withConcurrentReconciliationThreads(settings.threads())
                  .withCloseClientOnStop(false)
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(10))
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()));
              if (settings.leaseName() != null) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.leaseNamespace())
                        // JOSDK exits on every stop of leading, a deliberate close included.
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(
                            new LeaderCallbacks(
                                () -> LOG.info("leading: Lease {}", settings.leaseName()),
                                () -> stoppedLeading(settings.leaseName()),
                                leader -> {}))
                        .build());
              }
            });
    EventRecorder events = new KubernetesEventRecorder(client, clock, "mesos-operator");
    operator.register(
        new MesosClusterReconciler(
            client, providers, events, clock, settings.resync(), observer, metrics),
        c -> {
          c.withFieldManager(StatusWriter.FIELD_MANAGER);
          c.withRetry(retry(settings.resync()));
          if (!settings.namespaces().isEmpty()) {
            c.settingNamespaces(settings.namespaces());
          }
        });
    operator.register(
        new MesosNodeReconciler(
            client, providers, configurer, desired, events, clock, settings.resync(), metrics),
        c -> {
          c.withFieldManager(StatusWriter.FIELD_MANAGER);
          c.withRetry(retry(settings.resync()));
          if (!settings.namespaces().isEmpty()) {
            c.settingNamespaces(settings.namespaces());
          }
        });
  }

  /**
   * Retries that never run out. JOSDK's default gives up after five failed passes in a row and then
   * waits for its ten-hour maximum interval: one burst of API errors would leave a cluster or a
   * node unwatched (an unreachable node never replaced). A failed pass is retried from 2 s, backing
   * off to the resync period and no further: never less often than a healthy one runs.
   */
  static Retry retry(Duration resync) {
    long cap = Math.max(1, resync.toMillis());
    return GenericRetry.defaultLimitedExponentialRetry()
        .withoutMaxAttempts()
        .setInitialInterval(Math.min(2000, cap))
        .setIntervalMultiplier(1.5)
        .setMaxInterval(cap);
  }

  public void start() {
    operator.start();
  }

  private void stoppedLeading(String lease) {
    if (closing) {
      LOG.info("stopped leading: Lease {} (the operator is stopping)", lease);
      return;
    }
    LOG.error("lost leadership: Lease {} was taken over or not renewed in time; stopping", lease);
    leadershipLost.run();
  }

  /** Started and every informer healthy. */
  public boolean ready() {
    return operator.getRuntimeInfo().isStarted()
        && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** The process is alive and the operator has not failed. */
  public boolean live() {
    return operator.getRuntimeInfo().allEventSourcesAreHealthy()
        || !operator.getRuntimeInfo().isStarted();
  }

  @Override
  public void close() {
    closing = true;
    try {
      operator.stop();
    } finally {
      // The SSH connections kept open between passes go with the operator.
      if (configurer instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // shutting down; nothing left to report to
        }
      }
    }
  }
}
