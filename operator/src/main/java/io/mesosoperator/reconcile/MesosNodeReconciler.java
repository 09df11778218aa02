package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.api.model.SecretBuilder;
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
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.mesosoperator.api.DeletionPolicy;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.MesosNodeStatus;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.LoginCredentials;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.NodeEvent;
import io.mesosoperator.node.NodeResult;
import io.mesosoperator.node.NodeTarget;
import io.mesosoperator.node.SshNodeConfigurer;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.validation.SpecValidator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps one MesosNode's machine in existence (found by tags, never by memory), records its
 * addresses, and hands the node to the {@link NodeConfigurer}. Its {@link Cleaner} destroys the
 * machine with {@code deletionPolicy: Delete} before the finalizer goes.
 */
@ControllerConfiguration(name = MesosNodeReconciler.NAME)
public class MesosNodeReconciler implements Reconciler<MesosNode>, Cleaner<MesosNode> {
  public static final String NAME = "mesosnode";
  static final String BY_CLUSTER = "byCluster";
  private static final Logger LOG = LoggerFactory.getLogger(MesosNodeReconciler.class);

  private final KubernetesClient client;
  private final ProviderResolver providers;
  private final NodeConfigurer configurer;
  private final DesiredConfig desired;
  private final EventRecorder events;
  private final Clock clock;
  private final Duration resync;
  private final OperatorMetrics metrics;
  private final StatusRecorder<MesosNode, MesosNodeStatus> statuses;
  private DoubleSupplier jitter;

  public MesosNodeReconciler(
      KubernetesClient client,
      ProviderResolver providers,
      NodeConfigurer configurer,
      DesiredConfig desired,
      EventRecorder events,
      Clock clock,
      Duration resync,
      OperatorMetrics metrics) {
    this.client = client;
    this.providers = providers;
    this.configurer = configurer;
    this.desired = desired;
    this.events = events;
    this.clock = clock;
    this.resync = resync;
    this.metrics = metrics;
    this.statuses =
        new StatusRecorder<>(client, clock, MesosNodeStatus.class, MesosNodeStatus::new);
    this.jitter = () -> ThreadLocalRandom.current().nextDouble();
  }

  /** The same, with the resync jitter drawn from {@code jitter} (0 inclusive to 1 exclusive). */
  MesosNodeReconciler(
      KubernetesClient client,
      ProviderResolver providers,
      NodeConfigurer configurer,
      DesiredConfig desired,
      EventRecorder events,
      Clock clock,
      Duration resync,
      OperatorMetrics metrics,
      DoubleSupplier jitter) {
    this(client, providers, configurer, desired, events, clock, resync, metrics);
    this.jitter = jitter;
  }

  /** Up to this fraction is added to each resync, so nodes converged together spread out. */
  static final double RESYNC_JITTER = 0.1;

  /** {@code base} plus {@code fraction} (in [0, 1)) of {@link #RESYNC_JITTER} of it. */
  static Duration jittered(Duration base, double fraction) {
    double f = Math.min(Math.max(fraction, 0), 1);
    return base.plusMillis((long) (base.toMillis() * RESYNC_JITTER * f));
  }

  Duration nextResync() {
    return jittered(resync, jitter.getAsDouble());
  }

  @Override
  public List<EventSource<?, MesosNode>> prepareEventSources(
      EventSourceContext<MesosNode> context) {
    context.getPrimaryCache().addIndexers(Map.of(BY_CLUSTER, n -> List.of(clusterKey(n))));
    // A change of the cluster (spec, or the ensemble in its status) re-renders all its nodes.
    var clusters =
        InformerEventSourceConfiguration.from(MesosCluster.class, MesosNode.class)
            .withSecondaryToPrimaryMapper(
                (MesosCluster c) ->
                    context
                        .getPrimaryCache()
                        .byIndex(
                            BY_CLUSTER,
                            c.getMetadata().getNamespace() + "/" + c.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (MesosNode n) ->
                    Set.of(
                        new ResourceID(n.getSpec().getCluster(), n.getMetadata().getNamespace())))
            // Nodes render from the spec and from each other, not from the cluster's status:
            // status-only updates (counts, health) would wake every node for nothing.
            .withOnUpdateFilter(
                (MesosCluster a, MesosCluster b) ->
                    !Objects.equals(
                            a.getMetadata().getGeneration(), b.getMetadata().getGeneration())
                        || !Objects.equals(
                            a.getMetadata().getAnnotations(), b.getMetadata().getAnnotations())
                        // Nodes waiting to create their machine go once the network is ready.
                        || !Objects.equals(networkReady(a), networkReady(b)))
            .build();
    // A node's addresses appear in every other node's /etc/hosts and ZooKeeper settings: when
    // they change (or the node goes), its siblings re-render.
    var siblings =
        InformerEventSourceConfiguration.from(MesosNode.class, MesosNode.class)
            .withName("siblings")
            .withSecondaryToPrimaryMapper(
                (MesosNode n) ->
                    context.getPrimaryCache().byIndex(BY_CLUSTER, clusterKey(n)).stream()
                        .filter(o -> !o.getMetadata().getName().equals(n.getMetadata().getName()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withOnAddFilter((MesosNode n) -> false)
            .withOnUpdateFilter((MesosNode a, MesosNode b) -> !addresses(a).equals(addresses(b)))
            .build();
    return List.of(
        new InformerEventSource<>(clusters, context), new InformerEventSource<>(siblings, context));
  }

  @Override
  public UpdateControl<MesosNode> reconcile(MesosNode node, Context<MesosNode> context)
      throws Exception {
    MDC.put("cluster", clusterKey(node));
    MDC.put("node", node.getMetadata().getName());
    long started = System.nanoTime();
    try {
      Optional<MesosCluster> found = context.getSecondaryResource(MesosCluster.class);
      if (found.isEmpty() || found.get().getMetadata().getDeletionTimestamp() != null) {
        return UpdateControl.noUpdate();
      }
      MesosCluster cluster = found.get();
      if (!SpecValidator.validate(cluster).isEmpty()
          || new ClusterKeys(client).secretProblem(cluster) != null) {
        // The cluster says why; an invalid spec or key Secret changes nothing anywhere. A resync
        // comes back, so a fixed Secret (not watched) is picked up.
        return UpdateControl.<MesosNode>noUpdate().rescheduleAfter(nextResync());
      }
      if (Labels.flag(cluster, Labels.PAUSED)) {
        return UpdateControl.<MesosNode>noUpdate().rescheduleAfter(nextResync());
      }
      if (Labels.flag(cluster, Labels.PLAN_ONLY)) {
        return plan(cluster, node, context);
      }
      StatusFrame<MesosNodeStatus> pass = statuses.begin(node);
      MesosNodeStatus status = pass.status();
      status.setObservedGeneration(pass.generation());
      status.setPlannedActions(new ArrayList<>());

      Machine machine = ensureMachine(cluster, node, pass);
      boolean lookAgainSoon = false;
      if (machine != null && machine.state() == Machine.State.RUNNING) {
        lookAgainSoon = !configure(cluster, node, pass, context);
      }
      setReady(pass);
      statuses.finish(node, pass);
      // The sibling event that ends a wait can arrive before the primary cache shows the new
      // address (two informers), and a busy node is free once the other pass ends: look again
      // soon instead of a whole resync later.
      Duration next = nextResync();
      if (lookAgainSoon && next.compareTo(SIBLING_RECHECK) > 0) {
        next = SIBLING_RECHECK;
      }
      return UpdateControl.<MesosNode>noUpdate().rescheduleAfter(next);
    } finally {
      metrics.reconciled(NAME, Duration.ofNanos(System.nanoTime() - started));
      MDC.remove("node");
      MDC.remove("cluster");
    }
  }

  private void setReady(StatusFrame<MesosNodeStatus> pass) {
    boolean ready = pass.isTrue(Conditions.MACHINE_READY) && pass.isTrue(Conditions.CONFIGURED);
    pass.set(
        Conditions.READY,
        ready
            ? ConditionState.isTrue("NodeReady", "machine running and configured")
            : ConditionState.isFalse(notReadyReason(pass.status()), "see the other conditions"));
  }

  /** Plan-only: what this node's pass would do, published in status, nothing done. */
  private UpdateControl<MesosNode> plan(
      MesosCluster cluster, MesosNode node, Context<MesosNode> context) throws Exception {
    StatusFrame<MesosNodeStatus> pass = statuses.begin(node);
    MesosNodeStatus status = pass.status();
    List<String> planned = new ArrayList<>();
    try {
      boolean exists =
          providers.resolve(cluster).list(cluster.getMetadata().getUid()).stream()
              .anyMatch(m -> node.getMetadata().getName().equals(m.node()));
      if (!exists) {
        planned.add("create machine for " + node.getMetadata().getName());
        planned.add("configure the new machine: every managed file, packages, services");
      } else {
        Prepared prepared = prepare(cluster, node, status, context);
        if (prepared.waiting() != null) {
          planned.add("cannot plan yet: " + prepared.waiting().message());
        } else {
          planned.addAll(
              configurer.plan(
                  prepared.target(),
                  facts ->
                      desired.render(
                          cluster.getSpec(),
                          prepared.infos(),
                          prepared.self(),
                          facts,
                          masterSettings(node))));
        }
      }
    } catch (CloudException e) {
      planned.add("cannot plan: " + e.getMessage());
    }
    status.setPlannedActions(planned);
    statuses.finish(node, pass);
    return UpdateControl.<MesosNode>noUpdate().rescheduleAfter(nextResync());
  }

  private Machine ensureMachine(
      MesosCluster cluster, MesosNode node, StatusFrame<MesosNodeStatus> pass) {
    MesosNodeStatus status = pass.status();
    String name = node.getMetadata().getName();
    try {
      MachineProvider provider = providers.resolve(cluster);
      Machine machine =
          oneMachine(
              node,
              provider,
              provider.list(cluster.getMetadata().getUid()).stream()
                  .filter(m -> name.equals(m.node()))
                  .toList(),
              status);
      machine = replaceIfGranted(node, provider, machine);
      boolean remade = false;
      if (halfMade(machine, status)) {
        provider.destroy(machine.id());
        events.warning(
            node,
            "MachineCreateFailed",
            "machine "
                + machine.id()
                + " was left broken by a create that never finished; destroyed to create it"
                + " again");
        LOG.info("destroyed half-made machine {}", machine.id());
        machine = null;
        remade = true;
      }
      if (machine == null && !remade && waitForReplacement(node, pass)) {
        return null;
      }
      if (machine == null) {
        ConditionState network = networkNotReady(cluster);
        if (network != null) {
          pass.set(Conditions.MACHINE_READY, network);
          return null;
        }
        RoleSpec role = roleOf(cluster, node);
        machine =
            provider.create(
                new MachineRequest(
                    cluster.getMetadata().getUid(),
                    cluster.getMetadata().getName(),
                    name,
                    node.getSpec().getRole(),
                    node.getSpec().getRoleType(),
                    role == null ? null : role.getMachine(),
                    cluster.getSpec().getCloud().getLocation(),
                    role == null ? List.of(22) : role.portsOrDefault()));
        events.normal(node, "MachineCreated", "created machine " + machine.id());
        LOG.info("created machine {}", machine.id());
        keepInitialLogin(node, machine.initialLogin());
        if (status.getMachineId() != null && !status.getMachineId().equals(machine.id())) {
          // The old machine vanished and this one replaces it: its host key is new by nature,
          // and the operator made it, so it is trusted on first use like any new machine.
          events.warning(
              node,
              "MachineReplaced",
              "machine " + status.getMachineId() + " is gone; replaced by " + machine.id());
          status.setHostKey(null);
          status.setConfigDigest(null);
        }
      }
      if (!machine.id().equals(status.getMachineId())) {
        forgetPreviousMachine(pass, machine);
      }
      status.setMachineId(machine.id());
      String badAddress = MachineAddresses.problem(machine);
      if (badAddress != null) {
        // Never recorded, so never rendered into a file: the value itself is not repeated.
        String message = "machine " + machine.id() + ": the cloud's " + badAddress;
        pass.set(
            Conditions.MACHINE_READY, ConditionState.isFalse("InvalidMachineAddress", message));
        events.warning(node, "InvalidMachineAddress", message);
        LOG.warn("{}", message);
        return null;
      }
      status.setPrivateAddress(machine.privateAddress());
      status.setPublicAddress(machine.publicAddress());
      status.setIpv6Address(machine.ipv6Address());
      boolean running = machine.state() == Machine.State.RUNNING;
      pass.set(
          Conditions.MACHINE_READY,
          running
              ? ConditionState.isTrue("MachineRunning", "machine " + machine.id() + " is running")
              : ConditionState.isFalse(
                  "Machine" + camel(machine.state().name()),
                  "machine " + machine.id() + " is " + machine.state()));
      return machine;
    } catch (CloudException e) {
      pass.set(Conditions.MACHINE_READY, StatusRecorder.cloudFailure(e));
      events.warning(node, "MachineFailed", e.getMessage());
      LOG.warn("cloud call failed: {}", e.getMessage());
      return null;
    }
  }

  /** Conditions that report a pass over the node's machine: a new machine has had none yet. */
  static final List<String> MACHINE_OBSERVATIONS =
      List.of(
          Conditions.REACHABLE,
          Conditions.CONFIGURED,
          Conditions.SERVICES_RUNNING,
          Conditions.FIREWALL_APPLIED);

  /** Reason of {@link #MACHINE_OBSERVATIONS} between a machine's arrival and its first pass. */
  static final String NEW_MACHINE = "NewMachine";

  /**
   * The machine recorded in status changed: what was observed on the previous one says nothing
   * about this one. Set to Unknown (with a new transition time), so the machine's addresses can be
   * published before its first pass without the previous machine's Reachable=False (and its
   * transition time, which remediation counts from) standing next to them.
   */
  private void forgetPreviousMachine(StatusFrame<MesosNodeStatus> pass, Machine machine) {
    for (String type : MACHINE_OBSERVATIONS) {
      if (Conditions.get(pass.status().getConditions(), type).isPresent()) {
        pass.set(
            type,
            ConditionState.unknown(
                NEW_MACHINE, "machine " + machine.id() + " has not been connected to yet"));
      }
    }
  }

  /**
   * The node's one machine among those the cloud lists for it, destroying any other: a create that
   * an operator stopped had sent still finishes in the cloud, after the next operator made its own.
   * The one the status records stays; without one, the first by id (any pass picks the same).
   */
  private Machine oneMachine(
      MesosNode node, MachineProvider provider, List<Machine> found, MesosNodeStatus status)
      throws CloudException {
    if (found.size() <= 1) {
      return found.isEmpty() ? null : found.get(0);
    }
    Machine keep =
        found.stream()
            .filter(m -> m.id().equals(status.getMachineId()))
            .findFirst()
            .orElseGet(() -> found.stream().min(Comparator.comparing(Machine::id)).get());
    for (Machine m : found) {
      if (m != keep) {
        provider.destroy(m.id());
        events.warning(
            node,
            "DuplicateMachineDestroyed",
            "machine " + m.id() + " was a second machine for this node; " + keep.id() + " stays");
        LOG.info("destroyed duplicate machine {} (keeping {})", m.id(), keep.id());
      }
    }
    return keep;
  }

  /** MachineReady reason while the cluster's network is not ready: no machine is created. */
  static final String WAITING_FOR_NETWORK = "WaitingForNetwork";

  /**
   * Why no machine may be created now: the cluster's NetworkReady is False or not yet reported (a
   * machine made before its network and cloud firewall would start open or unreachable). Null when
   * the cloud part is in place: NetworkReady True, or False only because host firewalls are still
   * to be loaded, which needs the machines.
   */
  static ConditionState networkNotReady(MesosCluster cluster) {
    Optional<io.fabric8.kubernetes.api.model.Condition> ready = networkCondition(cluster);
    if (ready.isPresent()
        && ("True".equals(ready.get().getStatus())
            || NetworkStatus.PENDING.equals(ready.get().getReason()))) {
      return null;
    }
    return ConditionState.isFalse(
        WAITING_FOR_NETWORK,
        ready
            .map(
                c ->
                    "no machine is created while the cluster's network is not ready ("
                        + c.getReason()
                        + ": "
                        + c.getMessage()
                        + ")")
            .orElse("no machine is created before the cluster's network is ready"));
  }

  private static Optional<io.fabric8.kubernetes.api.model.Condition> networkCondition(
      MesosCluster cluster) {
    return cluster.getStatus() == null
        ? Optional.empty()
        : Conditions.get(cluster.getStatus().getConditions(), Conditions.NETWORK_READY);
  }

  private static String networkReady(MesosCluster cluster) {
    return networkCondition(cluster).map(c -> c.getStatus() + "/" + c.getReason()).orElse(null);
  }

  /**
   * A machine this node never recorded that is broken: its create never finished (the operator or
   * its creating process died on the way), so nothing on it is ours to keep.
   */
  private static boolean halfMade(Machine machine, MesosNodeStatus status) {
    return machine != null
        && machine.state() == Machine.State.ERROR
        && !machine.id().equals(status.getMachineId());
  }

  /**
   * Remediation: destroys the machine the cluster reconciler named in {@code spec.replaceMachine}
   * (an unreachable agent's), so that a new one is created in its place. Returns the machine that
   * remains, or null.
   */
  private Machine replaceIfGranted(MesosNode node, MachineProvider provider, Machine machine)
      throws CloudException {
    if (machine == null || !machine.id().equals(replaceGrant(node))) {
      return machine;
    }
    provider.destroy(machine.id());
    events.normal(
        node,
        "MachineDestroyed",
        "destroyed unreachable machine " + machine.id() + " to replace it");
    LOG.info("destroyed machine {} to replace it", machine.id());
    return null;
  }

  /**
   * A machine that vanished is replaced only when the cluster reconciler grants it (within
   * spec.remediation.maxConcurrent; a master is replaced through master scaling instead): until
   * then MachineReady says so. Returns whether to wait.
   */
  private boolean waitForReplacement(MesosNode node, StatusFrame<MesosNodeStatus> pass) {
    MesosNodeStatus status = pass.status();
    String gone = status.getMachineId();
    if (gone == null || gone.equals(replaceGrant(node))) {
      return false;
    }
    boolean known =
        Conditions.get(status.getConditions(), Conditions.MACHINE_READY)
            .filter(c -> Remediator.MACHINE_VANISHED.equals(c.getReason()))
            .isPresent();
    if (!known) {
      events.warning(
          node, Remediator.MACHINE_VANISHED, "machine " + gone + " is gone from the cloud");
    }
    pass.set(
        Conditions.MACHINE_READY,
        ConditionState.isFalse(
            Remediator.MACHINE_VANISHED,
            "machine " + gone + " is gone; waiting for the cluster to replace it"));
    return true;
  }

  private static String replaceGrant(MesosNode node) {
    return node.getSpec().getReplaceMachine();
  }

  /**
   * What configuring a node needs: every node's addresses (for /etc/hosts and the ZooKeeper
   * ensemble) and the admin's key.
   *
   * @param target how to reach the node, or null when something is missing
   * @param infos every node of the cluster
   * @param self this node
   * @param waiting why the node cannot be configured yet, or null
   */
  private record Prepared(
      NodeTarget target, List<NodeInfo> infos, NodeInfo self, ConditionState waiting) {}

  private Prepared prepare(
      MesosCluster cluster, MesosNode node, MesosNodeStatus status, Context<MesosNode> context)
      throws Exception {
    List<MesosNode> siblings =
        context.getPrimaryCache().byIndex(BY_CLUSTER, clusterKey(node)).stream()
            .filter(n -> n.getMetadata().getDeletionTimestamp() == null)
            .toList();
    List<NodeInfo> infos = new ArrayList<>();
    for (MesosNode n : siblings) {
      MesosNodeStatus s =
          n.getMetadata().getName().equals(node.getMetadata().getName()) ? status : n.getStatus();
      if (s == null || s.getPrivateAddress() == null) {
        // One message for the whole wait: naming the node (or counting them) would change it
        // as siblings get addresses, and each change is a status write for every waiting node.
        return new Prepared(
            null,
            null,
            null,
            ConditionState.isFalse(
                WAITING_FOR_ADDRESSES,
                "waiting until every node of the cluster has a private address"));
      }
      infos.add(
          new NodeInfo(
              n.getMetadata().getName(),
              n.getSpec().getRole(),
              s.getPrivateAddress(),
              s.getPublicAddress(),
              s.getIpv6Address(),
              n.getSpec().getZkId()));
    }
    ClusterKeys.Key key = new ClusterKeys(client).read(cluster);
    if (key == null) {
      return new Prepared(
          null,
          null,
          null,
          ConditionState.isFalse(
              "SshKeyMissing",
              "Secret " + ClusterKeys.secretName(cluster) + " has no ssh-privatekey"));
    }
    NodeInfo self =
        infos.stream()
            .filter(i -> i.name().equals(node.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    String pinned = status.getHostKey();
    String accepted =
        node.getMetadata().getAnnotations() == null
            ? null
            : node.getMetadata().getAnnotations().get(Labels.ACCEPT_HOST_KEY);
    if (accepted != null && !accepted.equals(pinned)) {
      pinned = accepted; // a person accepted the new key
    }
    NodeTarget target =
        new NodeTarget(
            node.getMetadata().getName(),
            self.privateAddress(),
            cluster.getSpec().getSsh().getPort(),
            cluster.getSpec().getSsh().getUser(),
            key.privateKey(),
            key.publicKey(),
            pinned,
            readInitialLogin(node),
            cluster.getSpec().getSsh().isHarden());
    return new Prepared(target, infos, self, null);
  }

  /** Configured reason while some node of the cluster has no private address yet. */
  static final String WAITING_FOR_ADDRESSES = "WaitingForAddresses";

  /** How soon a node waiting for its siblings' addresses looks again. */
  static final Duration SIBLING_RECHECK = Duration.ofSeconds(3);

  /**
   * Configures the node; returns false when it should look again soon: while it waits for its
   * siblings' addresses, or when another pass held the node busy.
   */
  private boolean configure(
      MesosCluster cluster,
      MesosNode node,
      StatusFrame<MesosNodeStatus> pass,
      Context<MesosNode> context)
      throws Exception {
    MesosNodeStatus status = pass.status();
    Prepared prepared = prepare(cluster, node, status, context);
    if (prepared.waiting() != null) {
      pass.set(Conditions.CONFIGURED, prepared.waiting());
      return !WAITING_FOR_ADDRESSES.equals(prepared.waiting().reason());
    }
    if (!addresses(node.getStatus()).equals(addresses(status))) {
      // Every sibling waits for this address (WaitingForAddresses) and renders it into its
      // files: publish it now, not after this node's configuration, which can take minutes (a
      // service that does not come up is polled for the whole service timeout). A node that
      // waits itself ends its pass at once and writes it then.
      setReady(pass);
      statuses.publish(node, pass);
    }
    if (RestartTurns.granted(node, status)) {
      usedTurnsFromServer(node, status);
    }
    NodeTarget target = RestartTurns.gate(prepared.target(), node, status, cluster);
    List<NodeInfo> infos = prepared.infos();
    NodeInfo self = prepared.self();
    String pinned = target.pinnedHostKey();
    ClusterRenderer.MasterSettings settings = masterSettings(node);
    NodeResult result =
        configurer.configure(
            target, facts -> desired.render(cluster.getSpec(), infos, self, facts, settings));
    pass.set(Conditions.REACHABLE, result.reachable());
    pass.set(Conditions.SERVICES_RUNNING, result.servicesRunning());
    if (result.firewall() != null) {
      pass.set(Conditions.FIREWALL_APPLIED, result.firewall());
    }
    pass.set(Conditions.CONFIGURED, result.configured());
    restartTurnUsed(cluster, node, status, result);
    if (result.configured().isTrue()) {
      recordMasterSettings(node, status, infos);
    }
    if (result.hostKey() != null && status.getHostKey() == null) {
      status.setHostKey(result.hostKey()); // trust on first use, pinned from now on
    } else if (result.hostKey() != null && result.hostKey().equals(pinned)) {
      status.setHostKey(pinned);
    }
    if (result.configDigest() != null) {
      status.setConfigDigest(result.configDigest());
    }
    status.setChangesLastPass(result.changes());
    String clusterName = cluster.getMetadata().getName();
    metrics.node(
        clusterName,
        node.getMetadata().getName(),
        result.reachable().isTrue(),
        result.configured().isTrue(),
        result.servicesRunning().isTrue());
    metrics.sshRoundTrips(clusterName, result.roundTrips());
    result.events().stream()
        .filter(e -> "FileRestored".equals(e.reason()))
        .forEach(e -> metrics.driftRepaired(clusterName, node.getMetadata().getName()));
    for (NodeEvent e : result.events()) {
      if (e.warning()) {
        events.warning(node, e.reason(), e.message());
      } else {
        events.normal(node, e.reason(), e.message());
      }
    }
    if (result.changes() > 0 && result.configured().isTrue()) {
      events.normal(node, "NodeConfigured", result.changes() + " changes applied");
    }
    // Another pass held the node's lock: it ends soon (an orphan finishes its step), look again.
    return !SshNodeConfigurer.NODE_BUSY.equals(result.configured().reason());
  }

  /**
   * The informer may not have our own last status write yet: before a granted restart, the turns
   * this node already used are read from the API server, so one grant never restarts twice.
   */
  private void usedTurnsFromServer(MesosNode node, MesosNodeStatus status) {
    MesosNode fresh =
        client
            .resources(MesosNode.class)
            .inNamespace(node.getMetadata().getNamespace())
            .withName(node.getMetadata().getName())
            .get();
    MesosNodeStatus st = fresh == null ? null : fresh.getStatus();
    if (st != null
        && st.getRestartGrant() != null
        && (status.getRestartGrant() == null || st.getRestartGrant() > status.getRestartGrant())) {
      status.setRestartGrant(st.getRestartGrant());
      status.setRestartToken(st.getRestartToken());
      status.setClusterRestartToken(st.getClusterRestartToken());
    }
  }

  /** Records a used restart turn (rolling restarts) and says what it restarted. */
  private void restartTurnUsed(
      MesosCluster cluster, MesosNode node, MesosNodeStatus status, NodeResult result) {
    if (RestartTurns.recordUsed(node, status, cluster, result) && result.restarts() > 0) {
      events.normal(
          node,
          "NodeRestarted",
          result.restarts()
              + " services restarted in restart turn "
              + node.getSpec().getRestartGrant());
    }
  }

  /** A pass that ended with an exception, recorded in the one place both reconcilers share. */
  @Override
  public ErrorStatusUpdateControl<MesosNode> updateErrorStatus(
      MesosNode node, Context<MesosNode> context, Exception e) {
    return statuses.failed(node, e);
  }

  @Override
  public DeleteControl cleanup(MesosNode node, Context<MesosNode> context) {
    MDC.put("cluster", clusterKey(node));
    MDC.put("node", node.getMetadata().getName());
    try {
      MesosCluster cluster =
          client
              .resources(MesosCluster.class)
              .inNamespace(node.getMetadata().getNamespace())
              .withName(node.getSpec().getCluster())
              .get();
      if (cluster == null) {
        events.warning(
            node,
            "MachineRetained",
            "cluster not found, so its deletion policy is unknown: the machine is left running");
        return DeleteControl.defaultDelete();
      }
      if (cluster.getSpec().getDeletionPolicy() == DeletionPolicy.Retain) {
        String id = node.getStatus() == null ? null : node.getStatus().getMachineId();
        events.normal(
            node, "MachineRetained", "deletionPolicy is Retain: machine " + id + " left running");
        return DeleteControl.defaultDelete();
      }
      MachineProvider provider = providers.resolve(cluster);
      for (Machine m : provider.list(cluster.getMetadata().getUid())) {
        if (node.getMetadata().getName().equals(m.node())) {
          provider.destroy(m.id());
          events.normal(node, "MachineDestroyed", "destroyed machine " + m.id());
          LOG.info("destroyed machine {}", m.id());
        }
      }
      return DeleteControl.defaultDelete();
    } catch (CloudException e) {
      events.warning(node, "MachineDestroyFailed", e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(5).toMillis());
    } finally {
      MDC.remove("node");
      MDC.remove("cluster");
    }
  }

  /** A master's effective settings as the cluster reconciler wrote them in its spec. */
  static ClusterRenderer.MasterSettings masterSettings(MesosNode node) {
    var spec = node.getSpec();
    if (spec.getRoleType() != io.mesosoperator.api.RoleType.MASTER) {
      return ClusterRenderer.MasterSettings.DEFAULT;
    }
    return new ClusterRenderer.MasterSettings(
        spec.getQuorum(),
        spec.getEnsemble() == null ? null : List.copyOf(spec.getEnsemble()),
        Boolean.TRUE.equals(spec.getFenced()),
        spec.getLogEpoch() == null ? 0 : spec.getLogEpoch());
  }

  /**
   * Records in status the quorum and ensemble a master now runs with (the defaults resolved), so
   * master scaling resumes from what was applied, never from memory. Called only after a pass
   * reported Configured=True, which the node configurer does only once the whole plan ran,
   * including every restart still pending from an interrupted pass (a service whose start record on
   * the node names older inputs is restarted first): the settings are the ones the services run,
   * not only the ones their files hold.
   */
  private static void recordMasterSettings(
      MesosNode node, MesosNodeStatus status, List<NodeInfo> infos) {
    if (node.getSpec().getRoleType() != io.mesosoperator.api.RoleType.MASTER) {
      return;
    }
    ClusterRenderer.MasterSettings s = masterSettings(node);
    List<Integer> allMasters =
        infos.stream().filter(i -> i.zkId() != null).map(NodeInfo::zkId).sorted().toList();
    List<Integer> ensemble =
        s.ensemble() != null ? s.ensemble().stream().sorted().toList() : allMasters;
    status.setQuorum(s.quorum() != null ? s.quorum() : ClusterRenderer.quorum(allMasters.size()));
    status.setEnsemble(new ArrayList<>(ensemble));
    status.setFenced(s.fenced() ? Boolean.TRUE : null);
    status.setLogEpoch(s.logEpoch() > 0 ? s.logEpoch() : null);
  }

  /** First-login credentials go to a Secret the node owns, never to status or logs. */
  private void keepInitialLogin(MesosNode node, LoginCredentials login) {
    if (login == null) {
      return;
    }
    Map<String, String> data = new HashMap<>();
    data.put("user", ClusterKeys.encode(login.user()));
    if (login.password() != null) {
      data.put("password", ClusterKeys.encode(login.password()));
    }
    if (login.privateKey() != null) {
      data.put("ssh-privatekey", ClusterKeys.encode(login.privateKey()));
    }
    client
        .secrets()
        .inNamespace(node.getMetadata().getNamespace())
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(loginSecret(node))
                .withNamespace(node.getMetadata().getNamespace())
                .withLabels(Map.of(Labels.CLUSTER, node.getSpec().getCluster()))
                .withOwnerReferences(Labels.ownerReference(node))
                .endMetadata()
                .withData(data)
                .build())
        .createOr(existing -> existing.update());
  }

  private LoginCredentials readInitialLogin(MesosNode node) {
    var secret =
        client
            .secrets()
            .inNamespace(node.getMetadata().getNamespace())
            .withName(loginSecret(node))
            .get();
    if (secret == null || secret.getData() == null) {
      return null;
    }
    Map<String, String> d = secret.getData();
    return new LoginCredentials(
        decode(d.get("user")), decode(d.get("password")), decode(d.get("ssh-privatekey")));
  }

  private static String decode(String base64) {
    return base64 == null
        ? null
        : new String(
            java.util.Base64.getDecoder().decode(base64), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<String> addresses(MesosNode n) {
    return addresses(n.getStatus());
  }

  private static List<String> addresses(MesosNodeStatus s) {
    return s == null
        ? List.of()
        : java.util.Arrays.asList(s.getPrivateAddress(), s.getPublicAddress(), s.getIpv6Address());
  }

  static String loginSecret(MesosNode node) {
    return node.getMetadata().getName() + "-login";
  }

  private static RoleSpec roleOf(MesosCluster cluster, MesosNode node) {
    return cluster.getSpec().getRoles().stream()
        .filter(r -> r.getName().equals(node.getSpec().getRole()))
        .findFirst()
        .orElse(null);
  }

  private static String notReadyReason(MesosNodeStatus status) {
    for (String type :
        List.of(Conditions.MACHINE_READY, Conditions.REACHABLE, Conditions.CONFIGURED)) {
      var c = Conditions.get(status.getConditions(), type);
      if (c.isEmpty()) {
        return type.equals(Conditions.MACHINE_READY) ? "MachinePending" : "NotConfigured";
      }
      if (!"True".equals(c.get().getStatus())) {
        return c.get().getReason();
      }
    }
    return "NotReady";
  }

  private static String camel(String upper) {
    return upper.charAt(0) + upper.substring(1).toLowerCase(java.util.Locale.ROOT);
  }

  static String clusterKey(MesosNode node) {
    return node.getMetadata().getNamespace() + "/" + node.getSpec().getCluster();
  }
}
