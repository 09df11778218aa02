package io.mesosoperator.cloud;

import com.google.common.collect.ImmutableSet;
import io.fabric8.kubernetes.api.model.Quantity;
import io.mesosoperator.api.MachineSpec;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.jclouds.ContextBuilder;
import org.jclouds.compute.ComputeService;
import org.jclouds.compute.ComputeServiceContext;
import org.jclouds.compute.domain.Image;
import org.jclouds.compute.domain.NodeMetadata;
import org.jclouds.compute.domain.OsFamily;
import org.jclouds.compute.domain.Template;
import org.jclouds.compute.domain.TemplateBuilder;
import org.jclouds.compute.extensions.SecurityGroupExtension;
import org.jclouds.compute.options.TemplateOptions;
import org.jclouds.domain.Location;
import org.jclouds.ec2.compute.options.EC2TemplateOptions;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;
import org.jclouds.rest.ResourceNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Machines as jclouds compute nodes.
 *
 * <p>Each cluster's machines are nodes in the jclouds group {@code mc-<first 8 chars of the cluster
 * uid>} named after their MesosNode, carrying uid, node and role as user metadata and as tags (see
 * {@link MachineTags}). {@link #list} finds them by the full uid, never by memory or group alone.
 *
 * <p>jclouds is built without an SSH module and is never given a script: the operator configures
 * nodes over its own SSH sessions. Where jclouds has a security-group extension (aws-ec2), {@link
 * #ensureNetwork} keeps the cluster's {@link SecurityGroups} (all traffic between the cluster's
 * machines, each role's public ports from its allowed sources) and every new machine gets them;
 * elsewhere inbound ports are opened per machine through the template where the provider does that
 * (google-compute-engine) and the host firewall is the only firewall (digitalocean2).
 *
 * <p>The {@code stub} provider keeps its nodes in static maps keyed by the identity, so two
 * instances built with the same identity in one JVM see the same stub cloud (as a restarted
 * operator sees the same real one); a distinct identity gives an isolated stub cloud. {@link
 * #onContext} builds a provider on an existing context instead.
 */
public final class JcloudsMachineProvider implements MachineProvider {

  private static final Logger LOG = LoggerFactory.getLogger(JcloudsMachineProvider.class);

  static final Quantity DEFAULT_MEMORY = new Quantity("4Gi");
  static final Quantity DEFAULT_DISK = new Quantity("20Gi");
  private static final BigDecimal MIB = BigDecimal.valueOf(1024L * 1024L);
  private static final BigDecimal GIB = MIB.multiply(BigDecimal.valueOf(1024L));

  private final String provider;
  private final ComputeServiceContext context;
  private final boolean ownsContext;
  private final MachineTags.Style tagStyle;
  private final String[] secrets;

  /** What ensureNetwork keeps in the cloud, or null when it keeps nothing there. */
  private volatile String cloudFirewall;

  private volatile boolean groupPerRole;

  /** A provider for {@code provider} with these credentials and jclouds' defaults. */
  public JcloudsMachineProvider(String provider, String identity, String credential)
      throws CloudException {
    this(provider, identity, credential, null, null);
  }

  /**
   * A provider for a jclouds provider or api id.
   *
   * @param provider jclouds provider id (aws-ec2, digitalocean2, google-compute-engine, stub)
   * @param identity identity, or null for the provider's default (stub)
   * @param credential credential, or null
   * @param endpoint endpoint override, or null
   * @param overrides jclouds property overrides, or null
   */
  public JcloudsMachineProvider(
      String provider, String identity, String credential, String endpoint, Properties overrides)
      throws CloudException {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.secrets = new String[] {credential};
    this.tagStyle = MachineTags.styleFor(provider);
    this.ownsContext = true;
    try {
      ContextBuilder builder =
          ContextBuilder.newBuilder(provider).modules(ImmutableSet.of(new SLF4JLoggingModule()));
      if (identity != null) {
        builder.credentials(identity, credential);
      }
      if (endpoint != null) {
        builder.endpoint(endpoint);
      }
      if (overrides != null) {
        builder.overrides(overrides);
      }
      this.context = builder.buildView(ComputeServiceContext.class);
    } catch (RuntimeException e) {
      throw CloudErrors.wrap("connect to " + provider, e, credential);
    }
  }

  private JcloudsMachineProvider(String provider, ComputeServiceContext context, boolean owns) {
    this.provider = provider;
    this.context = context;
    this.ownsContext = owns;
    this.tagStyle = MachineTags.styleFor(provider);
    this.secrets = new String[0];
  }

  /**
   * A provider on an existing context, e.g. to share one stub cloud between "operator restarts".
   *
   * @param provider the context's provider id (decides the tag style)
   * @param context the context
   * @param closeContext whether {@link #close()} closes the context
   */
  public static JcloudsMachineProvider onContext(
      String provider, ComputeServiceContext context, boolean closeContext) {
    return new JcloudsMachineProvider(provider, context, closeContext);
  }

  /**
   * Puts each role in its own group {@code mc-<uid8>-<role>}. jclouds keys the security group (EC2)
   * and firewall rules (GCE) it makes from {@code inboundPorts} on the group, and makes them once
   * per group: with one group per cluster, every role would get the first machine's ports. Listing
   * is by metadata, so both layouts list the same.
   */
  public JcloudsMachineProvider withGroupPerRole(boolean perRole) {
    this.groupPerRole = perRole;
    return this;
  }

  /** The jclouds group a request's machine goes into. */
  String groupOf(MachineRequest request) {
    String group = groupFor(request.clusterUid());
    if (groupPerRole) {
      group = group + "-" + request.role().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "-");
    }
    return group;
  }

  /** The jclouds context (for firewall hooks and tests). */
  public ComputeServiceContext context() {
    return context;
  }

  /** The jclouds group of a cluster: {@code mc-} and the first 8 characters of its uid. */
  public static String groupFor(String clusterUid) {
    String prefix = clusterUid.toLowerCase(Locale.ROOT);
    prefix = prefix.substring(0, Math.min(8, prefix.length())).replaceAll("[^a-z0-9]", "-");
    return "mc-" + prefix;
  }

  @Override
  public void ensureNetwork(NetworkRequest request) throws CloudException {
    Optional<SecurityGroupExtension> ext = securityGroups();
    if (ext.isEmpty()) {
      // No firewall API here: public ports are opened per machine by the template (where the
      // provider does that) and the host firewall guards the rest.
      LOG.debug("{}: no security-group extension; the host firewall is the firewall", provider);
      cloudFirewall = null;
      return;
    }
    try {
      int changes = SecurityGroups.ensure(ext.get(), location(request.location()), request);
      if (changes > 0) {
        LOG.info("{}: security groups of {}: {} changes", provider, request.clusterName(), changes);
      }
      cloudFirewall = SecurityGroups.describe(request);
    } catch (RuntimeException e) {
      throw CloudErrors.wrap("ensure security groups of " + request.clusterName(), e, secrets);
    }
  }

  @Override
  public String cloudFirewall() {
    return cloudFirewall;
  }

  @Override
  public void releaseNetwork(String clusterUid) throws CloudException {
    Optional<SecurityGroupExtension> ext = securityGroups();
    if (ext.isEmpty()) {
      return;
    }
    try {
      int removed = SecurityGroups.release(ext.get(), clusterUid);
      if (removed > 0) {
        LOG.info("{}: removed {} security groups", provider, removed);
      }
    } catch (RuntimeException e) {
      throw CloudErrors.wrap("remove security groups", e, secrets);
    }
  }

  private Optional<SecurityGroupExtension> securityGroups() {
    // The stub has one too; it stands in for aws-ec2's in tests.
    com.google.common.base.Optional<SecurityGroupExtension> ext =
        compute().getSecurityGroupExtension();
    return ext.isPresent() ? Optional.of(ext.get()) : Optional.empty();
  }

  /** The region for security groups: the one named (or the zone's region), else the first. */
  private Location location(String wanted) {
    Set<? extends Location> all = compute().listAssignableLocations();
    Location chosen = null;
    for (Location l : all) {
      if (wanted != null && wanted.equals(l.getId())) {
        chosen = l;
        break;
      }
    }
    if (chosen == null && !all.isEmpty()) {
      chosen = all.iterator().next();
    }
    return SecurityGroups.region(chosen);
  }

  /**
   * With the cluster's security groups in place, a machine gets the cluster group and its role's
   * group, and jclouds opens nothing itself (its ports would be open to the world).
   */
  static void attachSecurityGroups(TemplateOptions options, MachineRequest request) {
    if (options instanceof EC2TemplateOptions ec2) {
      ec2.securityGroups(
          SecurityGroups.clusterGroup(request.clusterUid()),
          SecurityGroups.roleGroup(request.clusterUid(), request.role()));
      ec2.inboundPorts();
    }
  }

  @Override
  public List<Machine> list(String clusterUid) throws CloudException {
    Objects.requireNonNull(clusterUid, "clusterUid");
    try {
      Set<? extends NodeMetadata> nodes =
          compute()
              .listNodesDetailsMatching(
                  n ->
                      n != null
                          && n.getStatus() != NodeMetadata.Status.TERMINATED
                          && clusterUid.equals(
                              MachineTags.read(n.getUserMetadata(), n.getTags())
                                  .get(TAG_CLUSTER_UID)));
      List<Machine> out = new ArrayList<>();
      for (NodeMetadata n : nodes) {
        out.add(toMachine(n, null));
      }
      out.sort(
          Comparator.comparing((Machine m) -> String.valueOf(m.node())).thenComparing(Machine::id));
      return List.copyOf(out);
    } catch (RuntimeException e) {
      throw CloudErrors.wrap("list machines", e, secrets);
    }
  }

  @Override
  public Machine create(MachineRequest request) throws CloudException {
    String group = groupOf(request);
    try {
      Template template = template(request);
      Set<? extends NodeMetadata> created = compute().createNodesInGroup(group, 1, template);
      NodeMetadata node = created.iterator().next();
      LOG.info("created machine {} for node {} in group {}", node.getId(), request.node(), group);
      return toMachine(node, login(node.getCredentials()));
    } catch (Exception e) {
      throw CloudErrors.wrap("create machine for " + request.node(), e, secrets);
    }
  }

  @Override
  public void destroy(String machineId) throws CloudException {
    try {
      ComputeService compute = compute();
      NodeMetadata node = compute.getNodeMetadata(machineId);
      if (node == null || node.getStatus() == NodeMetadata.Status.TERMINATED) {
        return;
      }
      compute.destroyNode(machineId);
      LOG.info("destroyed machine {}", machineId);
    } catch (ResourceNotFoundException e) {
      // Gone already: destroying is idempotent.
    } catch (RuntimeException e) {
      throw CloudErrors.wrap("destroy machine " + machineId, e, secrets);
    }
  }

  @Override
  public void close() {
    if (ownsContext) {
      context.close();
    }
  }

  private ComputeService compute() {
    return context.getComputeService();
  }

  /** The template for a request. Never carries a script: jclouds must not run anything. */
  Template template(MachineRequest request) {
    MachineSpec spec = request.machine() == null ? new MachineSpec() : request.machine();
    TemplateOptions options =
        compute()
            .templateOptions()
            .nodeNames(List.of(request.node()))
            .userMetadata(
                MachineTags.metadata(request.clusterUid(), request.node(), request.role()))
            .tags(MachineTags.tags(tagStyle, request.clusterUid(), request.node(), request.role()))
            .inboundPorts(ports(request.publicPorts()))
            .blockUntilRunning(true);
    // Named by the cluster, so known without ensureNetwork having run in this process; a machine
    // asked for before they exist fails and is asked for again.
    if (securityGroups().isPresent()) {
      attachSecurityGroups(options, request);
    }
    Template template;
    try {
      template = builder(request, spec, true).options(options).build();
    } catch (NoSuchElementException | IllegalArgumentException e) {
      // Some providers (GCE) size disks apart from hardware: match without the disk minimum.
      LOG.debug("{}: no hardware with the disk minimum, matching without it", provider);
      template = builder(request, spec, false).options(options).build();
    }
    if (template.getOptions().getRunScript() != null) {
      throw new IllegalStateException("jclouds must not run scripts on nodes");
    }
    return template;
  }

  private TemplateBuilder builder(MachineRequest request, MachineSpec spec, boolean withDisk) {
    TemplateBuilder b =
        compute()
            .templateBuilder()
            .minCores(Math.max(1, spec.getCpus()))
            .minRam(ramMiB(spec.getMemory()));
    if (withDisk) {
      b.minDisk(diskGiB(spec.getDisk()));
    }
    if (spec.getImage() != null && !spec.getImage().isBlank()) {
      b.imageId(spec.getImage());
    } else {
      // jclouds orders versions as strings ("9.10" after "17.04"): choose numerically.
      b.osFamily(OsFamily.UBUNTU).os64Bit(true).imageChooser(JcloudsMachineProvider::newest);
    }
    if (request.location() != null && !request.location().isBlank()) {
      b.locationId(request.location());
    }
    return b;
  }

  /** The image with the highest numeric OS version (then the highest id, to be deterministic). */
  static Image newest(Iterable<? extends Image> images) {
    Image best = null;
    for (Image i : images) {
      if (best == null || NEWEST.compare(i, best) > 0) {
        best = i;
      }
    }
    if (best == null) {
      throw new NoSuchElementException("no image matches");
    }
    return best;
  }

  private static final Comparator<Image> NEWEST =
      Comparator.comparing(
              (Image i) ->
                  i.getOperatingSystem() == null ? "" : i.getOperatingSystem().getVersion(),
              JcloudsMachineProvider::compareVersions)
          .thenComparing(Image::getId);

  /** Compares versions by their numeric parts: 9.10 &lt; 17.04 &lt; 17.10. */
  static int compareVersions(String a, String b) {
    int[] x = numbers(a);
    int[] y = numbers(b);
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Integer.compare(x[i], y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  private static int[] numbers(String version) {
    if (version == null) {
      return new int[0];
    }
    return java.util.Arrays.stream(version.split("\\D+"))
        .filter(p -> !p.isEmpty() && p.length() < 9)
        .mapToInt(Integer::parseInt)
        .toArray();
  }

  static int ramMiB(Quantity memory) {
    Quantity q = memory == null ? DEFAULT_MEMORY : memory;
    return Quantity.getAmountInBytes(q).divide(MIB, 0, RoundingMode.CEILING).intValueExact();
  }

  static double diskGiB(Quantity disk) {
    Quantity q = disk == null ? DEFAULT_DISK : disk;
    return Quantity.getAmountInBytes(q).divide(GIB, 3, RoundingMode.CEILING).doubleValue();
  }

  private static int[] ports(List<Integer> ports) {
    if (ports == null) {
      return new int[0];
    }
    return ports.stream().filter(Objects::nonNull).mapToInt(Integer::intValue).distinct().toArray();
  }

  private static LoginCredentials login(org.jclouds.domain.LoginCredentials c) {
    if (c == null) {
      return null;
    }
    return new LoginCredentials(
        c.getUser(), c.getOptionalPassword().orNull(), c.getOptionalPrivateKey().orNull());
  }

  static Machine toMachine(NodeMetadata n, LoginCredentials login) {
    Map<String, String> tags = MachineTags.read(n.getUserMetadata(), n.getTags());
    return new Machine(
        n.getId(),
        tags.get(TAG_CLUSTER_UID),
        tags.get(TAG_NODE),
        tags.get(TAG_ROLE),
        state(n.getStatus()),
        firstV4(n.getPrivateAddresses()),
        firstV4(n.getPublicAddresses()),
        firstV6(n.getPrivateAddresses(), n.getPublicAddresses()),
        login);
  }

  static Machine.State state(NodeMetadata.Status status) {
    if (status == null) {
      return Machine.State.UNKNOWN;
    }
    return switch (status) {
      case PENDING -> Machine.State.PENDING;
      case RUNNING -> Machine.State.RUNNING;
      case SUSPENDED -> Machine.State.STOPPED;
      case TERMINATED -> Machine.State.TERMINATED;
      case ERROR -> Machine.State.ERROR;
      default -> Machine.State.UNKNOWN;
    };
  }

  private static String firstV4(Set<String> addresses) {
    if (addresses != null) {
      for (String a : addresses) {
        if (a != null && !a.contains(":")) {
          return a;
        }
      }
    }
    return null;
  }

  private static String firstV6(Set<String> privates, Set<String> publics) {
    for (Set<String> set : List.of(nullToEmpty(privates), nullToEmpty(publics))) {
      for (String a : set) {
        if (a != null && a.contains(":")) {
          return a;
        }
      }
    }
    return null;
  }

  private static Set<String> nullToEmpty(Set<String> s) {
    return s == null ? Set.of() : s;
  }
}
