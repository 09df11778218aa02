package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.mesosoperator.api.AppStatus;
import io.mesosoperator.api.Endpoints;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterStatus;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.MesosNodeSpec;
import io.mesosoperator.api.Ports;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.api.ZooKeeperSpec;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.NetworkRequest;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.plan.ClusterTopology;
import io.mesosoperator.plan.MasterScaling;
import io.mesosoperator.plan.RollingRestart;
import io.mesosoperator.validation.SpecValidator;
import io.mesosoperator.validation.ValidationError;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps a MesosCluster's MesosNodes in line with its roles and sums their state up in the cluster's
 * status. Observe (nodes, spec) → validate → plan (pure) → act → report.
 */
@ControllerConfiguration(name = MesosClusterReconciler.NAME)
public class MesosClusterReconciler implements Reconciler<MesosCluster>, Cleaner<MesosCluster> {
  public static final String NAME = "mesoscluster";
  private static final Logger LOG = LoggerFactory.getLogger(MesosClusterReconciler.class);

  /** Reason when spec.ssh.keySecret names a missing Secret or one without a usable key. */
  public static final String SECRET_INVALID = "SecretInvalid";

  private final KubernetesClient client;
  private final ProviderResolver providers;
  private final EventRecorder events;
  private final Clock clock;
  private final Duration resync;
  private final ClusterObserver observer;
  private final OperatorMetrics metrics;
  private final ZooKeeperBackups backups;
  private final Remediator remediator;
  private final StatusRecorder<MesosCluster, MesosClusterStatus> statuses;

  /**
   * Generation whose network was ensured, per cluster uid. Only saves repeating an idempotent call
   * while our own status write is still on its way to the informer cache; a restarted operator
   * simply ensures once more.
   */
  private final Map<String, Long> networkEnsured = new java.util.concurrent.ConcurrentHashMap<>();

  /** What each cluster's provider enforces in the cloud (empty: no cloud firewall). */
  private final Map<String, java.util.Optional<String>> cloudFirewalls =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * App digests last written to Marathon, per cluster uid: the same stale-cache gap as above. A
   * reconcile that starts before our status write (with the digest) reaches the informer cache
   * would otherwise see the app present but "changed" and write it a second time.
   */
  private final Map<String, Map<String, String>> appsApplied =
      new java.util.concurrent.ConcurrentHashMap<>();

  public MesosClusterReconciler(
      KubernetesClient client,
      ProviderResolver providers,
      EventRecorder events,
      Clock clock,
      Duration resync,
      ClusterObserver observer,
      OperatorMetrics metrics) {
    // Backups need the SSH access observing has; without an observer (tests) none are taken.
    this(
        client,
        providers,
        events,
        clock,
        resync,
        observer,
        metrics,
        observer == null
            ? null
            : new io.mesosoperator.node.SshZooKeeperBackup(
                new io.mesosoperator.node.SshjSessions()));
  }

  /** With the ZooKeeper backup taken before master membership changes (null: none). */
  public MesosClusterReconciler(
      KubernetesClient client,
      ProviderResolver providers,
      EventRecorder events,
      Clock clock,
      Duration resync,
      ClusterObserver observer,
      OperatorMetrics metrics,
      io.mesosoperator.node.ZooKeeperBackup backup) {
    this.backups = new ZooKeeperBackups(client, backup, events, clock);
    this.remediator = new Remediator(client, events, clock);
    this.client = client;
    this.providers = providers;
    this.events = events;
    this.clock = clock;
    this.resync = resync;
    this.observer = observer;
    this.metrics = metrics;
    this.statuses =
        new StatusRecorder<>(client, clock, MesosClusterStatus.class, MesosClusterStatus::new);
  }

  @Override
  public List<EventSource<?, MesosCluster>> prepareEventSources(
      EventSourceContext<MesosCluster> context) {
    var config =
        InformerEventSourceConfiguration.from(MesosNode.class, MesosCluster.class)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(MesosCluster.class, false))
            .build();
    return List.of(new InformerEventSource<>(config, context));
  }

  @Override
  public UpdateControl<MesosCluster> reconcile(MesosCluster cluster, Context<MesosCluster> context)
      throws Exception {
    MDC.put(
        "cluster", cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName());
    long started = System.nanoTime();
    try {
      StatusFrame<MesosClusterStatus> pass = statuses.begin(cluster);
      // The pass, step by step; each step records what it found in the status.
      if (refusedAsInvalid(cluster, pass)) {
        return finish(cluster, pass);
      }
      Hold hold = recordPause(cluster, pass);
      if (hold != Hold.NONE) {
        return holdStill(cluster, pass, context, hold == Hold.PLAN_ONLY);
      }
      pass.status().setPlannedChanges(new ArrayList<>());
      ensureKeysAndNetwork(cluster, pass);
      List<MesosNode> nodes = new ArrayList<>(context.getSecondaryResources(MesosNode.class));
      ClusterTopology.Plan plan = applyNodeSet(cluster, pass.status(), nodes);
      boolean bootstrap = bootstrap(plan);
      // Health first: a master scaling step is gated on what is observed now.
      Observed seen = observer == null ? new Observed(true, null) : observe(cluster, pass, nodes);
      MasterScaling.Step step = masterStep(cluster, pass, nodes, plan, bootstrap, seen);
      remediator.run(cluster, pass, nodes, step);
      rollRestarts(cluster, pass, nodes, seen.zooKeeperLeader());
      boolean mastersDone =
          step == null ? plan.masterRefusal() == null : step instanceof MasterScaling.Done;
      summarize(cluster, pass, nodes, plan, seen.healthy() && mastersDone);
      return finish(cluster, pass);
    } finally {
      metrics.reconciled(NAME, Duration.ofNanos(System.nanoTime() - started));
      MDC.remove("cluster");
    }
  }

  /**
   * An invalid spec or an unusable key Secret is reported (Stalled) and nothing else is done. The
   * Secret is checked before any cloud call: a machine nobody can log in to would be created for
   * nothing.
   */
  private boolean refusedAsInvalid(MesosCluster cluster, StatusFrame<MesosClusterStatus> pass) {
    List<ValidationError> errors = SpecValidator.validate(cluster);
    if (!errors.isEmpty()) {
      invalid(cluster, pass, errors, "InvalidSpec");
      return true;
    }
    String secretProblem = new ClusterKeys(client).secretProblem(cluster);
    if (secretProblem != null) {
      invalid(
          cluster,
          pass,
          List.of(new ValidationError(ClusterKeys.KEY_SECRET_FIELD, secretProblem)),
          SECRET_INVALID);
      return true;
    }
    pass.remove(Conditions.STALLED);
    return false;
  }

  /** Whether a pass changes nothing (paused), or only plans (plan-only). */
  private enum Hold {
    NONE,
    PAUSED,
    PLAN_ONLY
  }

  /** The pause and plan-only annotations, recorded as ReconciliationPaused. */
  private Hold recordPause(MesosCluster cluster, StatusFrame<MesosClusterStatus> pass) {
    boolean paused = Labels.flag(cluster, Labels.PAUSED);
    boolean planOnly = Labels.flag(cluster, Labels.PLAN_ONLY);
    pass.set(
        Conditions.RECONCILIATION_PAUSED,
        paused
            ? ConditionState.isTrue(
                "Paused", "annotation " + Labels.PAUSED + " is set: no changes are made")
            : planOnly
                ? ConditionState.isTrue(
                    "PlanOnly",
                    "annotation " + Labels.PLAN_ONLY + " is set: changes are planned, not made")
                : ConditionState.isFalse("Active", "changes are made as needed"));
    return paused ? Hold.PAUSED : planOnly ? Hold.PLAN_ONLY : Hold.NONE;
  }

  /** The admin SSH key pair, then the cloud network and firewall. */
  private void ensureKeysAndNetwork(MesosCluster cluster, StatusFrame<MesosClusterStatus> pass)
      throws GeneralSecurityException, IOException {
    pass.status().setSshKeySecret(ClusterKeys.secretName(cluster));
    if (new ClusterKeys(client).ensureGenerated(cluster)) {
      events.normal(cluster, "SshKeyGenerated", "generated the admin SSH key pair");
    }
    ensureNetwork(cluster, pass);
  }

  /**
   * The MesosNodes the spec asks for are created, the ones it no longer wants deleted. Returns the
   * plan that was applied.
   */
  private ClusterTopology.Plan applyNodeSet(
      MesosCluster cluster, MesosClusterStatus status, List<MesosNode> nodes) {
    ClusterTopology.Plan plan =
        ClusterTopology.plan(
            cluster.getMetadata().getName(),
            cluster.getSpec(),
            nodes.stream().map(MesosClusterReconciler::existing).toList(),
            ensembleIds(status));
    boolean bootstrap = bootstrap(plan);
    List<Integer> firstEnsemble =
        plan.create().stream()
            .filter(w -> w.type() == RoleType.MASTER)
            .map(ClusterTopology.Wanted::zkId)
            .sorted()
            .toList();
    for (ClusterTopology.Wanted wanted : plan.create()) {
      MesosNode node = newNode(cluster, wanted);
      if (bootstrap && wanted.type() == RoleType.MASTER) {
        // A new cluster's masters are created together, with explicit settings from the start.
        node.getSpec().setQuorum(MasterScaling.majority(firstEnsemble.size()));
        node.getSpec().setEnsemble(new ArrayList<>(firstEnsemble));
      }
      client.resource(node).create();
      events.normal(
          cluster,
          wanted.type() == RoleType.MASTER ? "MasterAdded" : "NodeAdded",
          "added node " + wanted.name());
    }
    for (String name : plan.delete()) {
      nodes.stream()
          .filter(n -> n.getMetadata().getName().equals(name))
          .filter(n -> n.getMetadata().getDeletionTimestamp() == null)
          .forEach(
              n -> {
                client.resource(n).delete();
                events.normal(cluster, "NodeRemoved", "removing node " + name);
              });
    }
    return plan;
  }

  /** A new cluster: its masters are being created in this pass. */
  private static boolean bootstrap(ClusterTopology.Plan plan) {
    return plan.create().stream().anyMatch(w -> w.type() == RoleType.MASTER);
  }

  /**
   * One master scaling step, gated on the health just observed; none while a new cluster's masters
   * are created or when master changes are refused (MastersScaled says which).
   */
  private MasterScaling.Step masterStep(
      MesosCluster cluster,
      StatusFrame<MesosClusterStatus> pass,
      List<MesosNode> nodes,
      ClusterTopology.Plan plan,
      boolean bootstrap,
      Observed seen) {
    if (plan.masterRefusal() != null) {
      pass.set(
          Conditions.MASTERS_SCALED,
          ConditionState.isFalse("MasterScalingNotSupported", plan.masterRefusal()));
      return null;
    }
    if (bootstrap) {
      pass.set(
          Conditions.MASTERS_SCALED,
          ConditionState.isTrue("AsSpecified", "creating the masters of a new cluster"));
      return null;
    }
    return scaleMasters(cluster, pass, nodes, seen.zooKeeperLeader());
  }

  @Override
  public DeleteControl cleanup(MesosCluster cluster, Context<MesosCluster> context) {
    MDC.put(
        "cluster", cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName());
    try {
      // Nodes go first: each node's own finalizer destroys (or retains) its machine.
      List<MesosNode> nodes = new ArrayList<>(context.getSecondaryResources(MesosNode.class));
      for (MesosNode node : nodes) {
        if (node.getMetadata().getDeletionTimestamp() == null) {
          client.resource(node).delete();
        }
      }
      if (!nodes.isEmpty()) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(1).toMillis());
      }
      try {
        providers.resolve(cluster).releaseNetwork(cluster.getMetadata().getUid());
      } catch (CloudException e) {
        if (networkEverRequested(cluster)) {
          LOG.warn("could not release the network: {}", e.getMessage());
          return DeleteControl.noFinalizerRemoval()
              .rescheduleAfter(Duration.ofSeconds(5).toMillis());
        }
        // The cloud was never asked for a network (the spec was refused from the start: no
        // NetworkReady was ever recorded), so there is none to release; a provider that cannot
        // even be built must not hold the delete forever.
        LOG.info("no network to release (none was requested): {}", e.getMessage());
      }
      networkEnsured.remove(cluster.getMetadata().getUid());
      cloudFirewalls.remove(cluster.getMetadata().getUid());
      appsApplied.remove(cluster.getMetadata().getUid());
      remediator.forget(cluster.getMetadata().getUid());
      backups.forget(cluster.getMetadata().getUid());
      return DeleteControl.defaultDelete();
    } finally {
      MDC.remove("cluster");
    }
  }

  /** Whether a network was ever requested for the cluster: its status has a NetworkReady. */
  private static boolean networkEverRequested(MesosCluster cluster) {
    return cluster.getStatus() != null
        && cluster.getStatus().getConditions() != null
        && Conditions.get(cluster.getStatus().getConditions(), Conditions.NETWORK_READY)
            .isPresent();
  }

  private void invalid(
      MesosCluster cluster,
      StatusFrame<MesosClusterStatus> pass,
      List<ValidationError> errors,
      String reason) {
    MesosClusterStatus status = pass.status();
    String message =
        errors.stream().limit(5).map(ValidationError::toString).collect(Collectors.joining("; "))
            + (errors.size() > 5 ? "; and " + (errors.size() - 5) + " more" : "");
    ConditionState invalid = ConditionState.isFalse(reason, message);
    // Said once per distinct problem: a resync of the same invalid spec is not news.
    boolean known =
        Conditions.get(status.getConditions(), Conditions.STALLED)
            .filter(c -> "True".equals(c.getStatus()))
            .filter(c -> reason.equals(c.getReason()) && message.equals(c.getMessage()))
            .isPresent();
    pass.set(Conditions.READY, invalid);
    pass.set(Conditions.STALLED, ConditionState.isTrue(reason, message));
    status.setObservedGeneration(pass.generation());
    events.warning(cluster, reason, message);
    if (known) {
      LOG.debug("{} still, nothing changed: {}", reason, message);
    } else {
      LOG.warn("{}, nothing changed: {}", reason, message);
    }
  }

  private void ensureNetwork(MesosCluster cluster, StatusFrame<MesosClusterStatus> pass) {
    String uid = cluster.getMetadata().getUid();
    Long generation = pass.generation();
    if (generation != null && generation.equals(networkEnsured.get(uid))) {
      return;
    }
    // Once per generation and process: idempotent, and it tells what the cloud enforces.
    MachineProvider provider;
    try {
      provider = providers.resolve(cluster);
    } catch (CloudException e) {
      pass.set(Conditions.NETWORK_READY, StatusRecorder.cloudFailure(e));
      return;
    }
    Map<String, List<Integer>> ports = new LinkedHashMap<>();
    cluster.getSpec().getRoles().forEach(r -> ports.put(r.getName(), r.portsOrDefault()));
    ZooKeeperSpec zk = cluster.getSpec().getZookeeper();
    NetworkRequest request =
        new NetworkRequest(
            uid,
            cluster.getMetadata().getName(),
            cluster.getSpec().getCloud().getLocation(),
            cluster.getSpec().getCloud().getNetwork().getCidr(),
            ports,
            Ports.internal(zk),
            cluster.getSpec().getCloud().getNetwork().getAllowedSources());
    try {
      provider.ensureNetwork(request);
    } catch (CloudException e) {
      pass.set(Conditions.NETWORK_READY, StatusRecorder.cloudFailure(e));
      events.warning(cluster, "NetworkFailed", e.getMessage());
      return;
    }
    cloudFirewalls.put(uid, java.util.Optional.ofNullable(provider.cloudFirewall()));
    networkEnsured.put(uid, generation);
    String exposure = NetworkStatus.exposure(cluster.getSpec());
    if (exposure != null) {
      events.warning(cluster, NetworkStatus.OPEN_TO_ALL, exposure);
    }
  }

  /** NetworkReady from what is enforced, once the cloud part is done for this generation. */
  private void networkStatus(
      MesosCluster cluster, StatusFrame<MesosClusterStatus> pass, List<MesosNode> nodes) {
    Long generation = pass.generation();
    if (generation == null
        || !generation.equals(networkEnsured.get(cluster.getMetadata().getUid()))) {
      return; // not ensured yet, or a cloud failure that NetworkReady already reports
    }
    String cloudFirewall =
        cloudFirewalls
            .getOrDefault(cluster.getMetadata().getUid(), java.util.Optional.empty())
            .orElse(null);
    int desired = cluster.getSpec().getRoles().stream().mapToInt(RoleSpec::getReplicas).sum();
    pass.set(
        Conditions.NETWORK_READY,
        NetworkStatus.condition(cluster.getSpec(), nodes, desired, cloudFirewall));
  }

  /**
   * The status summary ({@link ClusterSummary}, pure) written into the pass's status, after
   * NetworkReady; the node gauges from the same counts.
   */
  private void summarize(
      MesosCluster cluster,
      StatusFrame<MesosClusterStatus> pass,
      List<MesosNode> nodes,
      ClusterTopology.Plan plan,
      boolean healthy) {
    networkStatus(cluster, pass, nodes);
    ClusterSummary.Summary summary =
        ClusterSummary.of(
            new ClusterSummary.Input(
                cluster.getSpec(), nodes, plan, healthy, pass.isTrue(Conditions.MASTERS_SCALED)));
    String name = cluster.getMetadata().getName();
    for (ClusterSummary.RoleCount count : summary.counts()) {
      metrics.nodes(name, count.role(), "ready", count.ready());
      metrics.nodes(name, count.role(), "notready", count.notReady());
    }
    MesosClusterStatus status = pass.status();
    status.setRoles(summary.roles());
    status.setMasters(summary.masters());
    status.setAgents(summary.agents());
    status.setEnsemble(summary.ensemble());
    status.setZookeeperUrl(summary.zookeeperUrl());
    pass.set(Conditions.MACHINES_READY, summary.machinesReady());
    pass.set(Conditions.NODES_CONFIGURED, summary.nodesConfigured());
    pass.set(Conditions.READY, summary.ready());
    if (summary.ready().isTrue()) {
      status.setEstablished(true);
    }
    pass.set(Conditions.RECONCILING, summary.reconciling());
    status.setObservedGeneration(pass.generation());
  }

  /** Paused or plan-only: observe and report, change nothing (no node, machine or app write). */
  private UpdateControl<MesosCluster> holdStill(
      MesosCluster cluster,
      StatusFrame<MesosClusterStatus> pass,
      Context<MesosCluster> context,
      boolean planOnly) {
    MesosClusterStatus status = pass.status();
    List<MesosNode> nodes = new ArrayList<>(context.getSecondaryResources(MesosNode.class));
    ClusterTopology.Plan plan =
        ClusterTopology.plan(
            cluster.getMetadata().getName(),
            cluster.getSpec(),
            nodes.stream().map(MesosClusterReconciler::existing).toList(),
            ensembleIds(status));
    List<String> planned = new ArrayList<>();
    if (planOnly) {
      plan.create()
          .forEach(
              w ->
                  planned.add(
                      "create node "
                          + w.name()
                          + " ("
                          + w.type().value()
                          + (w.zkId() == null ? "" : ", ZooKeeper id " + w.zkId())
                          + ") and its machine"));
      plan.delete().forEach(n -> planned.add("delete node " + n + " and destroy its machine"));
      if (plan.masterRefusal() != null) {
        planned.add("refuse: " + plan.masterRefusal());
      }
    }
    status.setPlannedChanges(planned);
    boolean wasHealthy =
        Conditions.HEALTH.stream().allMatch(t -> Conditions.isTrue(status.getConditions(), t))
            || observer == null;
    summarize(cluster, pass, nodes, plan, wasHealthy);
    return finish(cluster, pass);
  }

  /**
   * Health from real signals and the Marathon apps. Returns whether the cluster is healthy and
   * every app is deployed.
   */
  private Observed observe(
      MesosCluster cluster, StatusFrame<MesosClusterStatus> pass, List<MesosNode> nodes)
      throws java.io.IOException {
    MesosClusterStatus status = pass.status();
    List<MesosNode> masters =
        nodes.stream()
            .filter(n -> n.getSpec().getRoleType() == RoleType.MASTER)
            // A fenced master is no member any more: its stopped services prove nothing.
            .filter(n -> !Boolean.TRUE.equals(n.getSpec().getFenced()))
            .filter(n -> n.getStatus() != null && n.getStatus().getPrivateAddress() != null)
            .filter(n -> n.getStatus().getHostKey() != null)
            // A master awaiting its restart turn still runs its services: without it, a change
            // held on every master would leave nothing to observe the health the turns need.
            .filter(
                n ->
                    Conditions.isTrue(n.getStatus().getConditions(), Conditions.CONFIGURED)
                        || RestartTurns.awaitingTurn(n))
            .sorted(Comparator.comparing(n -> n.getSpec().getZkId()))
            .toList();
    ClusterKeys.Key key = new ClusterKeys(client).read(cluster);
    if (masters.isEmpty() || key == null) {
      ConditionState waiting =
          ConditionState.unknown("WaitingForMasters", "no configured master to observe yet");
      Conditions.HEALTH.forEach(type -> pass.set(type, waiting));
      return new Observed(false, null);
    }
    Map<String, String> lastApplied = new HashMap<>();
    status.getApps().stream()
        .filter(a -> a.getDigest() != null)
        .forEach(a -> lastApplied.put(a.getId(), a.getDigest()));
    lastApplied.putAll(appsApplied.getOrDefault(cluster.getMetadata().getUid(), Map.of()));
    ClusterObserver.Observation seen = observer.observe(cluster, masters, key, lastApplied);
    var health = seen.health();
    for (var probe : seen.probes()) {
      metrics.zooKeeperMode(
          cluster.getMetadata().getName(),
          probe.node(),
          probe.zooKeeper() == null
              ? "unknown"
              : probe.zooKeeper().state().name().toLowerCase(java.util.Locale.ROOT));
      metrics.mesosLeader(
          cluster.getMetadata().getName(),
          probe.node(),
          probe.mesos() != null && Boolean.TRUE.equals(probe.mesos().elected()));
    }
    pass.set(Conditions.ZOOKEEPER_QUORUM, health.zooKeeperQuorum());
    pass.set(Conditions.MESOS_LEADER_ELECTED, health.mesosLeaderElected());
    pass.set(Conditions.AGENTS_REGISTERED, health.agentsRegistered());
    pass.set(Conditions.MARATHON_READY, health.marathonReady());
    if (health.zooKeeperQuorum().isTrue() && health.mesosLeaderElected().isTrue()) {
      status.setEstablished(true); // the control plane formed: from now on restarts roll
    }
    if (health.mesosLeader() != null && !health.mesosLeader().equals(status.getMesosLeader())) {
      events.normal(cluster, "MesosLeaderElected", "Mesos leader is " + health.mesosLeader());
    }
    status.setMesosLeader(health.mesosLeader());
    status.setMarathonLeader(health.marathonLeader());
    status.setEndpoints(
        health.mesosLeader() == null && health.marathonLeader() == null
            ? null
            : new Endpoints(
                health.mesosLeader() == null ? null : "http://" + health.mesosLeader(),
                health.marathonLeader() == null ? null : "http://" + health.marathonLeader()));
    boolean appsDeployed = cluster.getSpec().getMarathon().getApps().isEmpty();
    if (seen.apps() != null) {
      List<AppStatus> apps = seen.apps().apps().stream().map(a -> a.toStatus()).toList();
      for (var app : seen.apps().apps()) {
        AppStatus old =
            status.getApps().stream()
                .filter(a -> a.getId().equals(app.id()))
                .findFirst()
                .orElse(null);
        if (old == null || !java.util.Objects.equals(old.getDigest(), app.digest())) {
          events.normal(cluster, "AppDeployed", "Marathon app " + app.id() + ": " + app.message());
        }
      }
      status.setApps(new ArrayList<>(apps));
      Map<String, String> applied = new HashMap<>();
      apps.stream()
          .filter(a -> a.getDigest() != null)
          .forEach(a -> applied.put(a.getId(), a.getDigest()));
      appsApplied.put(cluster.getMetadata().getUid(), applied);
      appsDeployed = apps.stream().allMatch(a -> "Deployed".equals(a.getDeployment()));
    }
    if (seen.error() != null) {
      LOG.info("observing the cluster: {}", seen.error());
    }
    return new Observed(
        appsDeployed
            && health.zooKeeperQuorum().isTrue()
            && health.mesosLeaderElected().isTrue()
            && health.agentsRegistered().isTrue()
            && health.marathonReady().isTrue(),
        health.zooKeeperLeader());
  }

  /**
   * What observing found.
   *
   * @param healthy healthy and every app deployed
   * @param zooKeeperLeader node name of the ZooKeeper leader, or null
   */
  private record Observed(boolean healthy, String zooKeeperLeader) {}

  /**
   * Master scaling: plans the one next step from what exists (nodes, the settings their status says
   * they were configured with, health), makes it, and reports it. Never from memory.
   */
  private MasterScaling.Step scaleMasters(
      MesosCluster cluster,
      StatusFrame<MesosClusterStatus> pass,
      List<MesosNode> nodes,
      String zooKeeperLeader) {
    MesosClusterStatus status = pass.status();
    RoleSpec role =
        cluster.getSpec().getRoles().stream()
            .filter(r -> r.getType() == RoleType.MASTER)
            .findFirst()
            .orElseThrow();
    MasterScaling.Health health =
        observer == null
            ? MasterScaling.Health.UNOBSERVED
            : new MasterScaling.Health(
                true,
                pass.isTrue(Conditions.ZOOKEEPER_QUORUM),
                pass.isTrue(Conditions.MESOS_LEADER_ELECTED),
                zooKeeperLeader);
    MasterScaling.Step step =
        MasterScaling.plan(
            new MasterScaling.Input(
                cluster.getMetadata().getName(),
                role.getName(),
                role.getReplicas(),
                role.isAcknowledgeLogWipe(),
                nodes.stream()
                    .filter(n -> n.getSpec().getRoleType() == RoleType.MASTER)
                    .filter(n -> n.getSpec().getZkId() != null)
                    .map(MasterMembers::member)
                    .toList(),
                health,
                status.getRemediation() == null
                    ? java.util.Set.of()
                    : java.util.Set.copyOf(status.getRemediation().getRetiredZooKeeperIds())));
    step = backups.gate(cluster, status, nodes, zooKeeperLeader, step);
    String ns = cluster.getMetadata().getNamespace();
    if (step instanceof MasterScaling.Pin pin) {
      pin.settings().forEach((name, settings) -> writeSettings(ns, name, settings));
    } else if (step instanceof MasterScaling.Reconfigure r) {
      writeSettings(ns, r.node(), r.settings());
      String reason =
          switch (r.change()) {
            case RAISE_QUORUM -> "QuorumRaised";
            case LOWER_QUORUM -> "QuorumLowered";
            case ENSEMBLE -> "EnsembleChanged";
            case FENCE -> "MasterFenced";
          };
      events.normal(cluster, reason, r.message());
    } else if (step instanceof MasterScaling.Create c) {
      MesosNode node =
          newNode(
              cluster,
              new ClusterTopology.Wanted(
                  c.node(), role.getName(), RoleType.MASTER, c.ordinal(), c.zkId()));
      node.getSpec().setQuorum(c.settings().quorum());
      node.getSpec().setEnsemble(new ArrayList<>(c.settings().ensemble()));
      try {
        client.resource(node).create();
        events.normal(cluster, "MasterAdded", c.message());
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // Our own create, not yet in the informer cache: nothing to do.
      }
    } else if (step instanceof MasterScaling.Delete d) {
      nodes.stream()
          .filter(n -> n.getMetadata().getName().equals(d.node()))
          .filter(n -> n.getMetadata().getDeletionTimestamp() == null)
          .forEach(
              n -> {
                client.resource(n).delete();
                events.normal(cluster, "MasterRemoved", d.message());
              });
    }
    ConditionState state;
    if (step instanceof MasterScaling.Done d) {
      state = ConditionState.isTrue("AsSpecified", d.message());
    } else if (step instanceof MasterScaling.Refused r) {
      state = ConditionState.isFalse(r.reason(), r.message());
    } else if (step instanceof MasterScaling.WaitForHealth w) {
      state = ConditionState.isFalse("WaitingForHealth", w.message());
    } else {
      state =
          ConditionState.isFalse(
              step.direction() == MasterScaling.Direction.DOWN ? "ScalingDown" : "ScalingUp",
              step.message());
    }
    boolean newRefusal =
        step instanceof MasterScaling.Refused
            && !Conditions.get(status.getConditions(), Conditions.MASTERS_SCALED)
                .map(c -> state.reason().equals(c.getReason()))
                .orElse(false);
    if (newRefusal) {
      events.warning(cluster, state.reason(), state.message());
    }
    pass.set(Conditions.MASTERS_SCALED, state);
    return step;
  }

  /**
   * Rolling restarts: grants restart turns to the nodes the pure planner picks (masters one at a
   * time, leaders last; agents in batches) and reports {@code RestartsDone}. Everything is read
   * from the nodes and the last health observation.
   */
  private void rollRestarts(
      MesosCluster cluster,
      StatusFrame<MesosClusterStatus> pass,
      List<MesosNode> nodes,
      String zooKeeperLeader) {
    MesosClusterStatus status = pass.status();
    RollingRestart.Health health =
        observer == null
            ? RollingRestart.Health.UNOBSERVED
            : new RollingRestart.Health(
                true,
                pass.isTrue(Conditions.ZOOKEEPER_QUORUM),
                pass.isTrue(Conditions.MESOS_LEADER_ELECTED),
                zooKeeperLeader,
                RestartTurns.mesosLeaderNode(nodes, status.getMesosLeader()));
    var rollout = cluster.getSpec().getRollout();
    RollingRestart.Decision decision =
        RollingRestart.plan(
            new RollingRestart.Input(
                nodes.stream()
                    // A fenced master is going away: it takes no turn and blocks none.
                    .filter(n -> !Boolean.TRUE.equals(n.getSpec().getFenced()))
                    .map(n -> RestartTurns.plannerNode(n, cluster))
                    .toList(),
                health,
                rollout == null ? 1 : rollout.getAgentBatchSize(),
                rollout != null && rollout.isIgnoreHealth()));
    String ns = cluster.getMetadata().getNamespace();
    for (String name : decision.grant()) {
      int[] turn = {0};
      client
          .resources(MesosNode.class)
          .inNamespace(ns)
          .withName(name)
          .edit(
              n -> {
                // Read fresh: a turn already granted (our earlier write, not yet in the cache) is
                // not granted again.
                if (!RestartTurns.granted(n, n.getStatus())) {
                  Integer spec = n.getSpec().getRestartGrant();
                  Integer used = n.getStatus() == null ? null : n.getStatus().getRestartGrant();
                  turn[0] = Math.max(spec == null ? 0 : spec, used == null ? 0 : used) + 1;
                  n.getSpec().setRestartGrant(turn[0]);
                }
                return n;
              });
      if (turn[0] > 0) {
        events.normal(
            cluster,
            "RestartScheduled",
            "node " + name + " may restart its services now (turn " + turn[0] + ")");
      }
    }
    ConditionState state =
        switch (decision.state()) {
          case IDLE -> ConditionState.isTrue("NonePending", decision.message());
          case ROLLING -> ConditionState.isFalse("Rolling", decision.message());
          case WAITING_FOR_HEALTH -> ConditionState.isFalse("WaitingForHealth", decision.message());
          case WAITING -> ConditionState.isFalse("WaitingForNodes", decision.message());
        };
    pass.set(Conditions.RESTARTS_DONE, state);
  }

  /** Writes a master's settings into its spec (the operator owns MesosNode specs). */
  private void writeSettings(String namespace, String name, MasterScaling.Settings settings) {
    client
        .resources(MesosNode.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            n -> {
              n.getSpec().setQuorum(settings.quorum());
              n.getSpec().setEnsemble(new ArrayList<>(settings.ensemble()));
              n.getSpec().setFenced(settings.fenced() ? Boolean.TRUE : null);
              n.getSpec().setLogEpoch(settings.logEpoch() > 0 ? settings.logEpoch() : null);
              return n;
            });
  }

  /** Writes the status when the pass changed it; comes back after a resync either way. */
  private UpdateControl<MesosCluster> finish(
      MesosCluster cluster, StatusFrame<MesosClusterStatus> pass) {
    statuses.finish(cluster, pass);
    return UpdateControl.<MesosCluster>noUpdate().rescheduleAfter(resync);
  }

  /** A pass that ended with an exception, recorded in the one place both reconcilers share. */
  @Override
  public ErrorStatusUpdateControl<MesosCluster> updateErrorStatus(
      MesosCluster cluster, Context<MesosCluster> context, Exception e) {
    return statuses.failed(cluster, e);
  }

  private static Map<String, Integer> ensembleIds(MesosClusterStatus status) {
    Map<String, Integer> ids = new HashMap<>();
    if (status.getEnsemble() != null) {
      status.getEnsemble().forEach(m -> ids.put(m.getNode(), m.getId()));
    }
    return ids;
  }

  private static ClusterTopology.Existing existing(MesosNode node) {
    MesosNodeSpec spec = node.getSpec();
    return new ClusterTopology.Existing(
        node.getMetadata().getName(),
        spec.getRole(),
        spec.getRoleType(),
        spec.getOrdinal(),
        spec.getZkId());
  }

  private static MesosNode newNode(MesosCluster cluster, ClusterTopology.Wanted wanted) {
    MesosNode node = new MesosNode();
    node.getMetadata().setName(wanted.name());
    node.getMetadata().setNamespace(cluster.getMetadata().getNamespace());
    node.getMetadata()
        .setLabels(
            Map.of(
                Labels.CLUSTER, cluster.getMetadata().getName(),
                Labels.ROLE, wanted.role(),
                Labels.ROLE_TYPE, wanted.type().value(),
                Labels.MANAGED_BY, Labels.OPERATOR));
    node.getMetadata().setOwnerReferences(List.of(Labels.ownerReference(cluster)));
    MesosNodeSpec spec = new MesosNodeSpec();
    spec.setCluster(cluster.getMetadata().getName());
    spec.setRole(wanted.role());
    spec.setRoleType(wanted.type());
    spec.setOrdinal(wanted.ordinal());
    spec.setZkId(wanted.zkId());
    node.setSpec(spec);
    return node;
  }
}
