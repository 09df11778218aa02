package io.mesosoperator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.mesosoperator.api.MachineSpec;
import io.mesosoperator.api.RoleType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jclouds.compute.domain.Image;
import org.jclouds.compute.domain.NodeMetadata;
import org.jclouds.compute.domain.OsFamily;
import org.jclouds.compute.domain.Template;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against jclouds' in-memory stub cloud: in-process, no network. */
class JcloudsMachineProviderTest {

  private static final String UID_A = "aaaabbbb-1111-2222-3333-444455556666";
  private static final String UID_B = "ccccdddd-1111-2222-3333-444455556666";

  // The stub keeps nodes per identity in static maps: a fresh identity is a fresh cloud.
  private String identity;
  private JcloudsMachineProvider provider;

  @BeforeEach
  void setUp() throws Exception {
    identity = "test-" + UUID.randomUUID();
    provider = new JcloudsMachineProvider("stub", identity, "stub-secret");
  }

  @AfterEach
  void tearDown() {
    provider.close();
  }

  static MachineRequest request(String uid, String cluster, String role, int ordinal) {
    return new MachineRequest(
        uid,
        cluster,
        cluster + "-" + role + "-" + ordinal,
        role,
        "masters".equals(role) ? RoleType.MASTER : RoleType.AGENT,
        new MachineSpec(),
        null,
        "masters".equals(role) ? List.of(22, 5050, 8080) : List.of(22));
  }

  @Test
  void listFindsExactlyTheClustersMachinesWithTagsAndAddresses() throws Exception {
    Machine m0 = provider.create(request(UID_A, "alpha", "masters", 0));
    provider.create(request(UID_A, "alpha", "masters", 1));
    provider.create(request(UID_A, "alpha", "agents", 0));
    provider.create(request(UID_B, "beta", "masters", 0));
    provider.create(request(UID_B, "beta", "agents", 0));

    List<Machine> a = provider.list(UID_A);
    assertThat(a)
        .extracting(Machine::node)
        .containsExactly("alpha-agents-0", "alpha-masters-0", "alpha-masters-1");
    assertThat(a).allSatisfy(m -> assertThat(m.clusterUid()).isEqualTo(UID_A));
    assertThat(a).extracting(Machine::role).containsExactly("agents", "masters", "masters");
    assertThat(a).allSatisfy(m -> assertThat(m.state()).isEqualTo(Machine.State.RUNNING));
    // The stub hands out 10.1.1.x private and 144.175.1.x public addresses.
    assertThat(a).allSatisfy(m -> assertThat(m.privateAddress()).startsWith("10.1.1."));
    assertThat(a).allSatisfy(m -> assertThat(m.publicAddress()).startsWith("144.175.1."));
    assertThat(a).allSatisfy(m -> assertThat(m.ipv6Address()).isNull());
    // Credentials come only from create, never from list.
    assertThat(a).allSatisfy(m -> assertThat(m.initialLogin()).isNull());
    assertThat(a).extracting(Machine::id).contains(m0.id());

    List<Machine> b = provider.list(UID_B);
    assertThat(b).extracting(Machine::node).containsExactly("beta-agents-0", "beta-masters-0");

    assertThat(provider.list("no-such-uid")).isEmpty();
  }

  @Test
  void nodesCarryGroupMetadataTagsAndName() throws Exception {
    Machine m = provider.create(request(UID_A, "alpha", "masters", 0));
    NodeMetadata node = provider.context().getComputeService().getNodeMetadata(m.id());
    assertThat(node.getGroup()).isEqualTo("mc-aaaabbbb");
    assertThat(node.getName()).isEqualTo("alpha-masters-0");
    assertThat(node.getUserMetadata())
        .containsEntry(MachineProvider.TAG_CLUSTER_UID, UID_A)
        .containsEntry(MachineProvider.TAG_NODE, "alpha-masters-0")
        .containsEntry(MachineProvider.TAG_ROLE, "masters");
    assertThat(node.getTags())
        .contains(
            MachineProvider.TAG_CLUSTER_UID + "=" + UID_A,
            MachineProvider.TAG_NODE + "=alpha-masters-0",
            MachineProvider.TAG_ROLE + "=masters");
  }

  @Test
  void groupPerRoleSeparatesRolesAndListsTheSame() throws Exception {
    provider.withGroupPerRole(true);
    Machine m = provider.create(request(UID_A, "alpha", "masters", 0));
    Machine a = provider.create(request(UID_A, "alpha", "agents", 0));
    var compute = provider.context().getComputeService();
    assertThat(compute.getNodeMetadata(m.id()).getGroup()).isEqualTo("mc-aaaabbbb-masters");
    assertThat(compute.getNodeMetadata(a.id()).getGroup()).isEqualTo("mc-aaaabbbb-agents");
    assertThat(provider.list(UID_A))
        .extracting(Machine::id)
        .containsExactlyInAnyOrder(m.id(), a.id());
  }

  @Test
  void createReturnsInitialLoginAndRunningMachine() throws Exception {
    Machine m = provider.create(request(UID_A, "alpha", "masters", 0));
    assertThat(m.state()).isEqualTo(Machine.State.RUNNING);
    assertThat(m.node()).isEqualTo("alpha-masters-0");
    assertThat(m.initialLogin()).isNotNull();
    assertThat(m.initialLogin().user()).isEqualTo("root");
    assertThat(m.initialLogin().password()).isNotBlank();
    assertThat(m.initialLogin().toString()).doesNotContain(m.initialLogin().password());
  }

  @Test
  void destroyRemovesFromListAndUnknownIdIsFine() throws Exception {
    Machine m0 = provider.create(request(UID_A, "alpha", "agents", 0));
    Machine m1 = provider.create(request(UID_A, "alpha", "agents", 1));
    provider.destroy(m0.id());
    assertThat(provider.list(UID_A)).extracting(Machine::id).containsExactly(m1.id());
    provider.destroy(m0.id());
    provider.destroy("no-such-machine");
    assertThat(provider.list(UID_A)).extracting(Machine::id).containsExactly(m1.id());
  }

  @Test
  void aFreshInstanceWithTheSameIdentitySeesTheSameStubCloud() throws Exception {
    Machine m = provider.create(request(UID_A, "alpha", "masters", 0));
    try (JcloudsMachineProvider restarted =
        new JcloudsMachineProvider("stub", identity, "stub-secret")) {
      assertThat(restarted.list(UID_A)).extracting(Machine::id).containsExactly(m.id());
    }
    try (JcloudsMachineProvider other =
        new JcloudsMachineProvider("stub", identity + "-other", "stub-secret")) {
      assertThat(other.list(UID_A)).isEmpty();
    }
    JcloudsMachineProvider shared =
        JcloudsMachineProvider.onContext("stub", provider.context(), false);
    assertThat(shared.list(UID_A)).extracting(Machine::id).containsExactly(m.id());
    shared.close();
    // Not owning the context, closing it left the original usable.
    assertThat(provider.list(UID_A)).hasSize(1);
  }

  @Test
  void templateMatchesSizeAndNewestUbuntuAndOpensPublicPorts() {
    MachineSpec spec = new MachineSpec();
    spec.setCpus(2);
    spec.setMemory(new Quantity("4Gi"));
    MachineRequest r = request(UID_A, "alpha", "masters", 0);
    r =
        new MachineRequest(
            r.clusterUid(),
            r.clusterName(),
            r.node(),
            r.role(),
            r.roleType(),
            spec,
            null,
            r.publicPorts());
    Template t = provider.template(r);
    assertThat(t.getHardware().getRam()).isGreaterThanOrEqualTo(4096);
    assertThat(t.getHardware().getProcessors().stream().mapToDouble(p -> p.getCores()).sum())
        .isGreaterThanOrEqualTo(2);
    assertThat(t.getImage().getOperatingSystem().getFamily()).isEqualTo(OsFamily.UBUNTU);
    String newest =
        provider.context().getComputeService().listImages().stream()
            .filter(i -> i.getOperatingSystem().getFamily() == OsFamily.UBUNTU)
            .map(Image::getOperatingSystem)
            .map(os -> os.getVersion())
            .max(JcloudsMachineProvider::compareVersions)
            .orElseThrow();
    assertThat(t.getImage().getOperatingSystem().getVersion()).isEqualTo(newest);
    assertThat(t.getOptions().getInboundPorts()).containsExactlyInAnyOrder(22, 5050, 8080);
    assertThat(t.getOptions().getRunScript()).isNull();
  }

  @Test
  void explicitImageIsUsed() throws Exception {
    Image some =
        provider.context().getComputeService().listImages().stream()
            .filter(i -> i.getOperatingSystem().getFamily() == OsFamily.CENTOS)
            .findFirst()
            .orElseThrow();
    MachineSpec spec = new MachineSpec();
    spec.setImage(some.getId());
    MachineRequest r = request(UID_A, "alpha", "agents", 0);
    r =
        new MachineRequest(
            r.clusterUid(),
            r.clusterName(),
            r.node(),
            r.role(),
            r.roleType(),
            spec,
            null,
            r.publicPorts());
    assertThat(provider.template(r).getImage().getId()).isEqualTo(some.getId());
  }

  @Test
  void stubRoundTripIsQuickEnoughForReconcilerTests() throws Exception {
    long t0 = System.nanoTime();
    Machine m = provider.create(request(UID_A, "alpha", "agents", 0));
    long t1 = System.nanoTime();
    List<Machine> listed = provider.list(UID_A);
    long t2 = System.nanoTime();
    provider.destroy(m.id());
    long t3 = System.nanoTime();
    assertThat(listed).hasSize(1);
    assertThat(provider.list(UID_A)).isEmpty();
    long create = (t1 - t0) / 1_000_000;
    long list = (t2 - t1) / 1_000_000;
    long destroy = (t3 - t2) / 1_000_000;
    System.out.printf(
        "stub timings: create %d ms, list %d ms, destroy %d ms%n", create, list, destroy);
    assertThat(create + list + destroy).isLessThan(10_000);
  }

  @Test
  void versionsCompareNumerically() {
    assertThat(JcloudsMachineProvider.compareVersions("9.10", "17.04")).isNegative();
    assertThat(JcloudsMachineProvider.compareVersions("17.10", "17.04")).isPositive();
    assertThat(JcloudsMachineProvider.compareVersions("22.04", "22.04")).isZero();
    assertThat(JcloudsMachineProvider.compareVersions("", "8")).isNegative();
  }

  @Test
  void sizesAndGroupNames() {
    assertThat(JcloudsMachineProvider.ramMiB(null)).isEqualTo(4096);
    assertThat(JcloudsMachineProvider.ramMiB(new Quantity("1536Mi"))).isEqualTo(1536);
    assertThat(JcloudsMachineProvider.ramMiB(new Quantity("1G"))).isEqualTo(954);
    assertThat(JcloudsMachineProvider.diskGiB(null)).isEqualTo(20.0);
    assertThat(JcloudsMachineProvider.diskGiB(new Quantity("100Gi"))).isEqualTo(100.0);
    assertThat(JcloudsMachineProvider.groupFor("ABCDEF12-3456")).isEqualTo("mc-abcdef12");
    assertThat(JcloudsMachineProvider.groupFor("a_b")).isEqualTo("mc-a-b");
  }

  @Test
  void statusMapping() {
    assertThat(JcloudsMachineProvider.state(NodeMetadata.Status.PENDING))
        .isEqualTo(Machine.State.PENDING);
    assertThat(JcloudsMachineProvider.state(NodeMetadata.Status.RUNNING))
        .isEqualTo(Machine.State.RUNNING);
    assertThat(JcloudsMachineProvider.state(NodeMetadata.Status.SUSPENDED))
        .isEqualTo(Machine.State.STOPPED);
    assertThat(JcloudsMachineProvider.state(NodeMetadata.Status.TERMINATED))
        .isEqualTo(Machine.State.TERMINATED);
    assertThat(JcloudsMachineProvider.state(NodeMetadata.Status.ERROR))
        .isEqualTo(Machine.State.ERROR);
    assertThat(JcloudsMachineProvider.state(NodeMetadata.Status.UNRECOGNIZED))
        .isEqualTo(Machine.State.UNKNOWN);
    assertThat(JcloudsMachineProvider.state(null)).isEqualTo(Machine.State.UNKNOWN);
  }

  @Test
  void tagsReadBackFromEveryStyle() {
    for (MachineTags.Style style : List.of(MachineTags.Style.KEY_VALUE, MachineTags.Style.COLON)) {
      Map<String, String> read =
          MachineTags.read(Map.of(), MachineTags.tags(style, UID_A, "n-0", "agents"));
      assertThat(read)
          .containsEntry(MachineProvider.TAG_CLUSTER_UID, UID_A)
          .containsEntry(MachineProvider.TAG_NODE, "n-0")
          .containsEntry(MachineProvider.TAG_ROLE, "agents");
    }
    assertThat(MachineTags.tags(MachineTags.Style.COLON, UID_A, "n-0", "agents"))
        .allSatisfy(t -> assertThat(t).doesNotContain("=", "."));
    assertThat(MachineTags.tags(MachineTags.Style.NONE, UID_A, "n-0", "agents")).isEmpty();
    assertThat(MachineTags.styleFor("google-compute-engine")).isEqualTo(MachineTags.Style.NONE);
    assertThat(MachineTags.styleFor("digitalocean2")).isEqualTo(MachineTags.Style.COLON);
    assertThat(MachineTags.styleFor("stub")).isEqualTo(MachineTags.Style.KEY_VALUE);
    // Metadata wins over tags.
    assertThat(
            MachineTags.read(
                Map.of(MachineProvider.TAG_NODE, "from-metadata"),
                MachineTags.tags(MachineTags.Style.KEY_VALUE, UID_A, "from-tags", "r")))
        .containsEntry(MachineProvider.TAG_NODE, "from-metadata");
  }

  private static NetworkRequest network(List<String> allowed) {
    Map<String, List<Integer>> ports = new java.util.LinkedHashMap<>();
    ports.put("masters", List.of(22, 5050, 8080));
    ports.put("agents", List.of(22));
    return new NetworkRequest(
        UID_A, "alpha", null, "10.0.0.0/24", ports, List.of(2181, 2888, 3888), allowed);
  }

  private Map<String, org.jclouds.compute.domain.SecurityGroup> groups() {
    Map<String, org.jclouds.compute.domain.SecurityGroup> out = new java.util.TreeMap<>();
    provider
        .context()
        .getComputeService()
        .getSecurityGroupExtension()
        .get()
        .listSecurityGroups()
        .forEach(g -> out.put(g.getName(), g));
    return out;
  }

  private static List<String> rules(org.jclouds.compute.domain.SecurityGroup g) {
    return g.getIpPermissions().stream()
        .map(
            p ->
                p.getIpProtocol().name()
                    + " "
                    + p.getFromPort()
                    + "-"
                    + p.getToPort()
                    + " "
                    + (p.getGroupIds().contains(g.getId()) ? "self" : "")
                    + String.join(",", new java.util.TreeSet<>(p.getCidrBlocks())))
        .sorted()
        .toList();
  }

  @Test
  void ensureNetworkMakesAClusterGroupForAllInternalTrafficAndPublicPortsPerRole()
      throws Exception {
    assertThat(provider.cloudFirewall()).isNull();
    provider.ensureNetwork(network(null));
    Map<String, org.jclouds.compute.domain.SecurityGroup> groups = groups();
    assertThat(groups.keySet())
        .containsExactly(
            "mc-aaaabbbb-cluster", "mc-aaaabbbb-role-agents", "mc-aaaabbbb-role-masters");
    // Every port and protocol between the cluster's machines: agents reach ZooKeeper on the
    // masters, masters reach the agents' 5051.
    assertThat(rules(groups.get("mc-aaaabbbb-cluster")))
        .containsExactly("ICMP -1--1 self", "TCP 0-65535 self", "UDP 0-65535 self");
    assertThat(rules(groups.get("mc-aaaabbbb-role-masters")))
        .containsExactly(
            "TCP 22-22 0.0.0.0/0", "TCP 5050-5050 0.0.0.0/0", "TCP 8080-8080 0.0.0.0/0");
    assertThat(rules(groups.get("mc-aaaabbbb-role-agents"))).containsExactly("TCP 22-22 0.0.0.0/0");
    assertThat(provider.cloudFirewall())
        .contains("mc-aaaabbbb-cluster admits all traffic between the cluster's machines")
        .contains("mc-aaaabbbb-role-masters admits tcp 22,5050,8080 from 0.0.0.0/0");
  }

  @Test
  void ensureNetworkIsIdempotentAndFollowsAllowedSources() throws Exception {
    provider.ensureNetwork(network(null));
    Map<String, org.jclouds.compute.domain.SecurityGroup> first = groups();
    provider.ensureNetwork(network(null));
    Map<String, org.jclouds.compute.domain.SecurityGroup> second = groups();
    assertThat(second.keySet()).isEqualTo(first.keySet());
    second.forEach((name, g) -> assertThat(rules(g)).isEqualTo(rules(first.get(name))));
    assertThat(
            SecurityGroups.ensure(
                provider.context().getComputeService().getSecurityGroupExtension().get(),
                provider.context().getComputeService().listAssignableLocations().iterator().next(),
                network(null)))
        .as("changes on a second ensure")
        .isZero();

    provider.ensureNetwork(network(List.of("203.0.113.0/24")));
    Map<String, org.jclouds.compute.domain.SecurityGroup> limited = groups();
    assertThat(rules(limited.get("mc-aaaabbbb-role-masters")))
        .containsExactly(
            "TCP 22-22 203.0.113.0/24",
            "TCP 5050-5050 203.0.113.0/24",
            "TCP 8080-8080 203.0.113.0/24");
    assertThat(rules(limited.get("mc-aaaabbbb-cluster")))
        .isEqualTo(rules(first.get("mc-aaaabbbb-cluster")));
  }

  @Test
  void releaseNetworkRemovesOnlyThisClustersGroups() throws Exception {
    provider.ensureNetwork(network(null));
    var ext = provider.context().getComputeService().getSecurityGroupExtension().get();
    var location =
        provider.context().getComputeService().listAssignableLocations().iterator().next();
    ext.createSecurityGroup("someone-else", location);
    provider.releaseNetwork(UID_A);
    assertThat(groups().keySet()).containsExactly("someone-else");
    provider.releaseNetwork(UID_A); // idempotent
  }

  @Test
  void ec2MachinesGetTheClusterAndRoleGroupsAndNoPortsOfJcloudsOwn() {
    org.jclouds.aws.ec2.compute.AWSEC2TemplateOptions options =
        new org.jclouds.aws.ec2.compute.AWSEC2TemplateOptions();
    options.inboundPorts(22, 5050, 8080);
    JcloudsMachineProvider.attachSecurityGroups(options, request(UID_A, "alpha", "masters", 0));
    assertThat(options.getGroups())
        .containsExactlyInAnyOrder("mc-aaaabbbb-cluster", "mc-aaaabbbb-role-masters");
    assertThat(options.getInboundPorts()).isEmpty();
  }
}
