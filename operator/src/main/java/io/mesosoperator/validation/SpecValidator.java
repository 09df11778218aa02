package io.mesosoperator.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.mesosoperator.api.ByonMachine;
import io.mesosoperator.api.CloudSpec;
import io.mesosoperator.api.Durations;
import io.mesosoperator.api.MachineSpec;
import io.mesosoperator.api.MarathonSpec;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.PackagesSpec;
import io.mesosoperator.api.Patterns;
import io.mesosoperator.api.Ports;
import io.mesosoperator.api.Providers;
import io.mesosoperator.api.RemediationSpec;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.api.SshSpec;
import io.mesosoperator.api.ZooKeeperSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one validator, used by the operator and by the CLI.
 *
 * <p>It repeats the CRD schema and CEL rules (so a file is judged the same offline as by the API
 * server) and adds the cross-field rules the schema cannot say. Every length is checked before its
 * pattern, so no regular expression ever runs on a huge string.
 */
public final class SpecValidator {
  /** Longest cluster name: nodes are named {@code <cluster>-<role>-<ordinal>}. */
  public static final int MAX_CLUSTER_NAME = 40;

  public static final int MAX_ROLE_NAME = 20;
  public static final int MAX_ROLES = 16;
  public static final int MAX_MASTERS = 255;
  public static final int MAX_AGENTS = 1000;
  public static final int MAX_APPS_JSON_BYTES = 256 * 1024;

  /** Providers that are jclouds clouds and so need credentials. */
  public static final Set<String> CREDENTIALED_PROVIDERS =
      Set.of("aws-ec2", "digitalocean2", "google-compute-engine");

  /** Ports the operator's daemons own on every master. */
  private static final Map<Integer, String> MASTER_DAEMON_PORTS =
      Map.of(Ports.MESOS_MASTER, "mesos-master", Ports.MARATHON, "Marathon");

  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern REPOSITORY =
      Pattern.compile("^(deb (\\[[^\\]\\n]*\\] )?[A-Za-z0-9+.:/{}_~%-]+( [A-Za-z0-9.{}_/-]+)+)?$");
  private static final Pattern ATTRIBUTE_KEY = Pattern.compile("^[A-Za-z0-9_.-]{1,63}$");
  private static final Pattern ATTRIBUTE_VALUE = Pattern.compile("^[A-Za-z0-9_./-]{0,127}$");
  private static final Pattern APP_ID_SEGMENT = Pattern.compile("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$");

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private SpecValidator() {}

  /** Every broken rule of a MesosCluster, in field order; empty when valid. */
  public static List<ValidationError> validate(MesosCluster cluster) {
    Errors errors = new Errors();
    if (cluster == null) {
      errors.add("<document>", "no MesosCluster given");
      return errors.list;
    }
    String name = metadata(cluster.getMetadata(), errors);
    MesosClusterSpec spec = cluster.getSpec();
    if (spec == null) {
      errors.add("spec", "required");
      return errors.list;
    }
    String provider = cloud(spec, errors);
    ssh(spec.getSsh(), errors);
    zookeeper(spec, errors);
    packages(spec.getPackages(), errors);
    if (spec.getOs() == null) {
      errors.add("spec.os", "must be an object (omit it for the defaults)");
    }
    roles(name, provider, spec, errors);
    marathon(spec.getMarathon(), errors);
    remediation(spec.getRemediation(), errors);
    if (spec.getDeletionPolicy() == null) {
      errors.add("spec.deletionPolicy", "required: Delete or Retain");
    }
    return errors.list;
  }

  private static String metadata(ObjectMeta meta, Errors errors) {
    String name = meta == null ? null : meta.getName();
    if (name == null || name.isEmpty()) {
      errors.add("metadata.name", "required");
      name = null;
    } else if (name.length() > MAX_CLUSTER_NAME) {
      errors.add(
          "metadata.name",
          "must be at most "
              + MAX_CLUSTER_NAME
              + " characters (node names <cluster>-<role>-<ordinal> must stay DNS labels); got "
              + name.length());
      name = null;
    } else if (!DNS_LABEL.matcher(name).matches()) {
      errors.add("metadata.name", "must be a DNS-1123 label" + LABEL_WORDS + "; got " + q(name));
      name = null;
    }
    String namespace = meta == null ? null : meta.getNamespace();
    if (namespace != null
        && !namespace.isEmpty()
        && (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches())) {
      errors.add(
          "metadata.namespace",
          "must be a DNS-1123 label of at most 63 characters; got " + q(namespace));
    }
    return name;
  }

  private static final String LABEL_WORDS =
      " (lower-case letters, digits and '-', starting and ending with a letter or digit)";

  /** Checks spec.cloud; returns the provider when it is a known one. */
  private static String cloud(MesosClusterSpec spec, Errors errors) {
    CloudSpec cloud = spec.getCloud();
    if (cloud == null) {
      errors.add("spec.cloud", "required");
      return null;
    }
    String provider = cloud.getProvider();
    if (provider == null || provider.isEmpty()) {
      errors.add("spec.cloud.provider", "required: one of " + String.join(", ", Providers.KNOWN));
      provider = null;
    } else if (!Providers.KNOWN.contains(provider)) {
      errors.add(
          "spec.cloud.provider",
          "unknown provider "
              + q(provider)
              + "; must be one of "
              + String.join(", ", Providers.KNOWN));
      provider = null;
    }
    if (cloud.getLocation() != null && cloud.getLocation().length() > 63) {
      errors.add("spec.cloud.location", "must be at most 63 characters");
    }
    String secret = cloud.getCredentialsSecret();
    if (secret == null || secret.isEmpty()) {
      if (provider != null && CREDENTIALED_PROVIDERS.contains(provider)) {
        errors.add(
            "spec.cloud.credentialsSecret",
            "required for provider "
                + provider
                + ": the name of a Secret with keys identity and credential");
      }
    } else {
      subdomain("spec.cloud.credentialsSecret", secret, errors);
    }
    Addresses.Cidr cidr = network(spec, errors);
    byon(spec, provider, cidr, errors);
    return provider;
  }

  private static Addresses.Cidr network(MesosClusterSpec spec, Errors errors) {
    if (spec.getCloud().getNetwork() == null) {
      errors.add("spec.cloud.network", "must be an object (omit it for the defaults)");
      return null;
    }
    allowedSources(spec.getCloud().getNetwork().getAllowedSources(), errors);
    String text = spec.getCloud().getNetwork().getCidr();
    if (text == null || text.isEmpty()) {
      return null;
    }
    String path = "spec.cloud.network.cidr";
    Addresses.Cidr cidr = Addresses.cidr(text);
    if (cidr == null) {
      errors.add(path, "must be an IPv4 range in CIDR form such as 10.213.0.0/24; got " + q(text));
      return null;
    }
    if (!cidr.hostBitsZero()) {
      errors.add(
          path,
          "must name the network address, with the host bits zero: "
              + cidr.networkText()
              + "; got "
              + q(text));
      return null;
    }
    if (!cidr.isPrivate()) {
      errors.add(
          path,
          "must be a private IPv4 range (RFC 1918: inside 10.0.0.0/8, 172.16.0.0/12 or"
              + " 192.168.0.0/16); got "
              + q(text));
      return null;
    }
    long machines = 0;
    if (spec.getRoles() != null) {
      for (RoleSpec role : spec.getRoles()) {
        machines += role == null ? 0 : Math.max(0, role.getReplicas());
      }
    }
    if (machines > cidr.usableHosts()) {
      errors.add(
          path,
          "is too small for "
              + machines
              + " machines: it leaves "
              + cidr.usableHosts()
              + " usable addresses (the network, broadcast and gateway addresses are taken)");
    }
    return cidr;
  }

  /** Each entry an IPv4 or IPv6 CIDR with its host bits zero, none twice. */
  private static void allowedSources(List<String> sources, Errors errors) {
    if (sources == null) {
      return;
    }
    String path = "spec.cloud.network.allowedSources";
    if (sources.size() > 64) {
      errors.add(path, "at most 64 entries; got " + sources.size());
      return;
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < sources.size(); i++) {
      String p = path + "[" + i + "]";
      String text = sources.get(i);
      String problem = Addresses.anyCidrProblem(text);
      if (problem != null) {
        errors.add(p, problem + "; got " + q(text));
        continue;
      }
      Integer before = seen.putIfAbsent(text, i);
      if (before != null) {
        errors.add(p, "duplicate source " + text + " (also " + path + "[" + before + "])");
      }
    }
  }

  private static void byon(
      MesosClusterSpec spec, String provider, Addresses.Cidr cidr, Errors errors) {
    List<ByonMachine> machines = spec.getCloud().getByon();
    boolean empty = machines == null || machines.isEmpty();
    if (Providers.BYON.equals(provider) && empty) {
      errors.add(
          "spec.cloud.byon", "provider byon needs the machines to adopt listed here; none given");
      return;
    }
    if (empty) {
      return;
    }
    if (provider != null && !Providers.BYON.equals(provider)) {
      errors.add(
          "spec.cloud.byon",
          "only used with provider byon; remove it or set spec.cloud.provider to byon");
      return;
    }
    if (machines.size() > 1000) {
      errors.add("spec.cloud.byon", "at most 1000 machines; got " + machines.size());
      return;
    }
    Set<String> roleNames = new HashSet<>();
    if (spec.getRoles() != null) {
      for (RoleSpec role : spec.getRoles()) {
        if (role != null && role.getName() != null) {
          roleNames.add(role.getName());
        }
      }
    }
    Map<String, String> ids = new HashMap<>();
    for (int i = 0; i < machines.size(); i++) {
      String path = "spec.cloud.byon[" + i + "]";
      ByonMachine m = machines.get(i);
      if (m == null) {
        errors.add(path, "must be an object with id, role and privateAddress");
        continue;
      }
      if (m.getId() == null || m.getId().isEmpty()) {
        errors.add(path + ".id", "required");
      } else if (m.getId().length() > 63) {
        errors.add(path + ".id", "must be at most 63 characters");
      } else if (ids.containsKey(m.getId())) {
        errors.add(
            path + ".id",
            "duplicate machine id " + q(m.getId()) + " (also " + ids.get(m.getId()) + ")");
      } else {
        ids.put(m.getId(), path + ".id");
      }
      if (m.getRole() == null || m.getRole().isEmpty()) {
        errors.add(path + ".role", "required: the name of one of spec.roles");
      } else if (!roleNames.contains(m.getRole())) {
        errors.add(path + ".role", "no role named " + q(m.getRole()) + " in spec.roles");
      }
      String priv = m.getPrivateAddress();
      if (priv == null || priv.isEmpty()) {
        errors.add(path + ".privateAddress", "required");
      } else if (!Addresses.isIpv4(priv)) {
        errors.add(
            path + ".privateAddress",
            "must be an IPv4 address (Mesos and ZooKeeper bind to it); got " + q(priv));
      } else if (cidr != null && !cidr.contains(Addresses.ipv4(priv))) {
        errors.add(
            path + ".privateAddress",
            "must be inside spec.cloud.network.cidr " + cidr.networkText() + "; got " + q(priv));
      }
      String pub = m.getPublicAddress();
      if (pub != null && !pub.isEmpty() && !Addresses.isIp(pub)) {
        errors.add(path + ".publicAddress", "must be an IPv4 or IPv6 address; got " + q(pub));
      }
    }
  }

  private static void ssh(SshSpec ssh, Errors errors) {
    if (ssh == null) {
      errors.add("spec.ssh", "must be an object (omit it for the defaults)");
      return;
    }
    String user = ssh.getUser();
    if (user == null || user.isEmpty()) {
      errors.add("spec.ssh.user", "required");
    } else if ("root".equals(user)) {
      errors.add("spec.ssh.user", "must not be root: root login is disabled on every node");
    } else if (user.length() > 32 || !Patterns.SSH_USER.matcher(user).matches()) {
      errors.add(
          "spec.ssh.user",
          "must be a Linux user name: a lower-case letter or '_', then up to 31 lower-case"
              + " letters, digits, '_' or '-'; got "
              + q(user));
    }
    if (ssh.getKeySecret() != null && !ssh.getKeySecret().isEmpty()) {
      subdomain("spec.ssh.keySecret", ssh.getKeySecret(), errors);
    }
    port("spec.ssh.port", ssh.getPort(), errors);
  }

  private static void zookeeper(MesosClusterSpec spec, Errors errors) {
    ZooKeeperSpec zk = spec.getZookeeper();
    if (zk == null) {
      errors.add("spec.zookeeper", "must be an object (omit it for the defaults)");
      return;
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("clientPort", zk.getClientPort());
    ports.put("peerPort", zk.getPeerPort());
    ports.put("electionPort", zk.getElectionPort());
    ports.put("adminPort", zk.getAdminPort());
    int sshPort = spec.getSsh() == null ? -1 : spec.getSsh().getPort();
    Map<Integer, String> seen = new HashMap<>();
    for (Map.Entry<String, Integer> e : ports.entrySet()) {
      String path = "spec.zookeeper." + e.getKey();
      int port = e.getValue();
      if (!port(path, port, errors)) {
        continue;
      }
      if (seen.containsKey(port)) {
        errors.add(
            path,
            "ZooKeeper ports must be distinct; "
                + port
                + " is also spec.zookeeper."
                + seen.get(port));
      } else if (MASTER_DAEMON_PORTS.containsKey(port)) {
        errors.add(
            path,
            "port " + port + " is taken by " + MASTER_DAEMON_PORTS.get(port) + " on the masters");
      } else if (port == sshPort) {
        errors.add(path, "port " + port + " is taken by sshd (spec.ssh.port)");
      }
      seen.putIfAbsent(port, e.getKey());
    }
  }

  private static void packages(PackagesSpec packages, Errors errors) {
    if (packages == null) {
      errors.add("spec.packages", "must be an object (omit it for the defaults)");
      return;
    }
    String repo = packages.getRepository();
    if (repo != null) {
      String path = "spec.packages.repository";
      if (repo.length() > 512) {
        errors.add(path, "must be at most 512 characters; got " + repo.length());
      } else if (repo.indexOf('\n') >= 0 || repo.indexOf('\r') >= 0) {
        errors.add(path, "must be a single line (one APT source line)");
      } else if (!REPOSITORY.matcher(repo).matches()) {
        errors.add(
            path,
            "must be an APT source line such as "
                + q(PackagesSpec.DEFAULT_REPOSITORY)
                + " (deb, an optional [options], a URL, then the suite and components), or empty"
                + " for no extra repository; got "
                + q(repo));
      }
    }
    String keyId = packages.getKeyId();
    if (keyId != null && (keyId.length() > 40 || !Patterns.KEY_ID.matcher(keyId).matches())) {
      errors.add(
          "spec.packages.keyId",
          "must be a key id of 8, 16 or 40 hexadecimal digits; got " + q(keyId));
    }
    String keyServer = packages.getKeyServer();
    if (keyServer != null
        && (keyServer.length() > 253 || !Patterns.KEY_SERVER.matcher(keyServer).matches())) {
      errors.add(
          "spec.packages.keyServer",
          "must be a host name (letters, digits, '.' and '-'); got " + q(keyServer));
    }
    packageList("spec.packages.master", packages.getMaster(), errors);
    packageList("spec.packages.agent", packages.getAgent(), errors);
  }

  private static void packageList(String path, List<String> names, Errors errors) {
    if (names == null) {
      return;
    }
    if (names.size() > 32) {
      errors.add(path, "at most 32 packages; got " + names.size());
      return;
    }
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (n == null || n.length() > 253 || !Patterns.PACKAGE.matcher(n).matches()) {
        errors.add(
            path + "[" + i + "]",
            "must be a Debian package name, optionally pinned as name=version (lower-case"
                + " letters, digits, '+', '.', '-'); got "
                + q(n));
      }
    }
  }

  private static void roles(
      String clusterName, String provider, MesosClusterSpec spec, Errors errors) {
    List<RoleSpec> roles = spec.getRoles();
    if (roles == null) {
      roles = List.of();
    }
    if (roles.size() > MAX_ROLES) {
      errors.add("spec.roles", "at most " + MAX_ROLES + " roles; got " + roles.size());
      return;
    }
    long masters = roles.stream().filter(r -> r != null && r.getType() == RoleType.MASTER).count();
    if (masters != 1) {
      errors.add(
          "spec.roles",
          "must contain exactly one role of type master (ZooKeeper, mesos-master and Marathon);"
              + " found "
              + masters);
    }
    ZooKeeperSpec zk = spec.getZookeeper();
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < roles.size(); i++) {
      String path = "spec.roles[" + i + "]";
      RoleSpec role = roles.get(i);
      if (role == null) {
        errors.add(path, "must be an object with name, type and replicas");
        continue;
      }
      roleName(clusterName, role, path, names, errors);
      if (role.getType() == null) {
        errors.add(path + ".type", "required: master or agent");
      }
      replicas(provider, spec, role, path, errors);
      machine(role.getMachine(), path + ".machine", errors);
      ports(role, zk, path, errors);
      sshPortOpen(spec, role, path, errors);
      attributes(role, path, errors);
      packageList(path + ".packages", role.getPackages(), errors);
    }
  }

  private static void roleName(
      String clusterName, RoleSpec role, String path, Map<String, String> names, Errors errors) {
    String name = role.getName();
    path += ".name";
    if (name == null || name.isEmpty()) {
      errors.add(path, "required");
    } else if (name.length() > MAX_ROLE_NAME) {
      errors.add(path, "must be at most " + MAX_ROLE_NAME + " characters; got " + name.length());
    } else if (!DNS_LABEL.matcher(name).matches()) {
      errors.add(path, "must be a DNS-1123 label" + LABEL_WORDS + "; got " + q(name));
    } else if (names.containsKey(name)) {
      errors.add(path, "duplicate role name " + q(name) + " (also " + names.get(name) + ")");
    } else {
      names.put(name, path);
      if (clusterName != null) {
        String longest = clusterName + "-" + name + "-" + Math.max(0, role.getReplicas() - 1);
        if (longest.length() > 63) {
          errors.add(
              path,
              "node names <cluster>-<role>-<ordinal> must fit in 63 characters; "
                  + q(longest)
                  + " has "
                  + longest.length());
        }
      }
    }
  }

  private static void replicas(
      String provider, MesosClusterSpec spec, RoleSpec role, String path, Errors errors) {
    int n = role.getReplicas();
    path += ".replicas";
    if (role.getType() == RoleType.MASTER) {
      if (n < 1 || n > MAX_MASTERS) {
        errors.add(path, "master replicas must be between 1 and " + MAX_MASTERS + "; got " + n);
        return;
      }
      if (n % 2 == 0) {
        errors.add(
            path, "master replicas must be odd (the Mesos quorum is a strict majority); got " + n);
        return;
      }
    } else if (n < 0 || n > MAX_AGENTS) {
      errors.add(path, "agent replicas must be between 0 and " + MAX_AGENTS + "; got " + n);
      return;
    }
    if (Providers.BYON.equals(provider)
        && role.getName() != null
        && spec.getCloud().getByon() != null
        && !spec.getCloud().getByon().isEmpty()) {
      long listed =
          spec.getCloud().getByon().stream()
              .filter(m -> m != null && role.getName().equals(m.getRole()))
              .count();
      if (listed != n) {
        errors.add(
            path,
            "with provider byon, replicas must equal the number of spec.cloud.byon machines of"
                + " role "
                + q(role.getName())
                + " ("
                + listed
                + "); got "
                + n);
      }
    }
  }

  private static void machine(MachineSpec machine, String path, Errors errors) {
    if (machine == null) {
      errors.add(path, "must be an object (omit it for the defaults)");
      return;
    }
    if (machine.getCpus() < 1 || machine.getCpus() > 512) {
      errors.add(path + ".cpus", "must be between 1 and 512; got " + machine.getCpus());
    }
    quantity(path + ".memory", machine.getMemory(), errors);
    quantity(path + ".disk", machine.getDisk(), errors);
    if (machine.getImage() != null && machine.getImage().length() > 253) {
      errors.add(path + ".image", "must be at most 253 characters");
    }
  }

  private static void quantity(String path, Quantity quantity, Errors errors) {
    if (quantity == null) {
      return;
    }
    BigDecimal amount;
    try {
      amount = quantity.getNumericalAmount();
    } catch (RuntimeException e) {
      amount = null;
    }
    if (amount == null) {
      errors.add(path, "must be a quantity such as 4Gi or 500M; got " + q(quantity.toString()));
    } else if (amount.signum() <= 0) {
      errors.add(path, "must be more than zero; got " + q(quantity.toString()));
    }
  }

  private static void ports(RoleSpec role, ZooKeeperSpec zk, String path, Errors errors) {
    List<Integer> ports = role.getPorts();
    if (ports == null) {
      return;
    }
    path += ".ports";
    if (ports.size() > 32) {
      errors.add(path, "at most 32 ports; got " + ports.size());
      return;
    }
    Map<Integer, Integer> seen = new HashMap<>();
    for (int i = 0; i < ports.size(); i++) {
      String p = path + "[" + i + "]";
      Integer port = ports.get(i);
      if (port == null) {
        errors.add(p, "must be a port number between 1 and 65535");
        continue;
      }
      if (!port(p, port, errors)) {
        continue;
      }
      if (seen.containsKey(port)) {
        errors.add(p, "duplicate port " + port + " (also " + path + "[" + seen.get(port) + "])");
        continue;
      }
      seen.put(port, i);
      if (role.getType() == RoleType.MASTER && zk != null) {
        if (port == zk.getPeerPort() || port == zk.getElectionPort()) {
          errors.add(
              p,
              "port "
                  + port
                  + " is ZooKeeper's "
                  + (port == zk.getPeerPort() ? "peerPort" : "electionPort")
                  + ": ZooKeeper's peer and election ports are cluster-internal and never open to"
                  + " the world");
        }
      }
    }
  }

  /** A role's public ports must keep the operator's SSH port: the host firewall opens only them. */
  private static void sshPortOpen(
      MesosClusterSpec spec, RoleSpec role, String path, Errors errors) {
    List<Integer> ports = role.getPorts();
    if (ports == null || spec.getSsh() == null || ports.size() > 32) {
      return;
    }
    // A list with a broken entry is reported for that entry first.
    if (ports.stream().anyMatch(p -> p == null || p < 1 || p > 65535)) {
      return;
    }
    int ssh = spec.getSsh().getPort();
    if (!ports.contains(ssh)) {
      errors.add(
          path + ".ports",
          "must include the SSH port "
              + ssh
              + " (spec.ssh.port): the host firewall opens only these ports to"
              + " spec.cloud.network.allowedSources, and SSH is how the nodes are managed");
    }
  }

  private static void attributes(RoleSpec role, String path, Errors errors) {
    Map<String, String> attributes = role.getAttributes();
    if (attributes == null || attributes.isEmpty()) {
      return;
    }
    path += ".attributes";
    if (role.getType() != RoleType.AGENT) {
      errors.add(path, "only agent roles have attributes (they describe Mesos agents)");
      return;
    }
    if (attributes.size() > 32) {
      errors.add(path, "at most 32 attributes; got " + attributes.size());
      return;
    }
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      String key = e.getKey();
      String p = path + "[" + key + "]";
      if (key == null || key.length() > 63 || !ATTRIBUTE_KEY.matcher(key).matches()) {
        errors.add(
            p, "attribute names are 1 to 63 letters, digits, '_', '.' or '-'; got " + q(key));
        continue;
      }
      String value = e.getValue();
      if (value == null || value.length() > 127 || !ATTRIBUTE_VALUE.matcher(value).matches()) {
        errors.add(
            p,
            "attribute values are up to 127 letters, digits, '_', '.', '/' or '-'; got "
                + q(value));
      }
    }
  }

  private static void marathon(MarathonSpec marathon, Errors errors) {
    if (marathon == null) {
      errors.add("spec.marathon", "must be an object (omit it for the defaults)");
      return;
    }
    List<ObjectNode> apps = marathon.getApps();
    if (apps == null || apps.isEmpty()) {
      return;
    }
    String path = "spec.marathon.apps";
    if (apps.size() > 500) {
      errors.add(path, "at most 500 apps; got " + apps.size());
      return;
    }
    Map<String, String> ids = new HashMap<>();
    for (int i = 0; i < apps.size(); i++) {
      String p = path + "[" + i + "]";
      JsonNode app = apps.get(i);
      if (app == null || !app.isObject()) {
        errors.add(p, "must be an object (a Marathon app definition)");
        continue;
      }
      JsonNode id = app.get("id");
      if (id == null || id.isNull()) {
        errors.add(p + ".id", "required: every Marathon app needs an id such as /hello");
      } else if (!id.isTextual()) {
        errors.add(p + ".id", "must be a string");
      } else if (!isAppId(id.asText())) {
        errors.add(
            p + ".id",
            "must be a Marathon app id: path segments of lower-case letters, digits and '-'"
                + " (not starting or ending with '-'), separated by '/'; got "
                + q(id.asText()));
      } else {
        String absolute = id.asText().startsWith("/") ? id.asText() : "/" + id.asText();
        if (ids.containsKey(absolute)) {
          errors.add(
              p + ".id", "duplicate app id " + q(absolute) + " (also " + ids.get(absolute) + ")");
        } else {
          ids.put(absolute, p + ".id");
        }
      }
    }
    try {
      int size = JSON.writeValueAsBytes(apps).length;
      if (size > MAX_APPS_JSON_BYTES) {
        errors.add(
            path,
            "the app definitions together must be at most 256 KiB of JSON; got " + size + " bytes");
      }
    } catch (JsonProcessingException e) {
      errors.add(path, "cannot be written as JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Marathon's app id rule: an optional leading '/', then path segments of lower-case letters,
   * digits and inner '-', separated by single '/'. Checked segment by segment rather than with one
   * regular expression, whose nested repetition would backtrack for ever on hostile input.
   */
  static boolean isAppId(String id) {
    if (id.isEmpty() || id.length() > 1024) {
      return false;
    }
    String rest = id.startsWith("/") ? id.substring(1) : id;
    if (rest.isEmpty()) {
      return false;
    }
    for (String segment : rest.split("/", -1)) {
      if (segment.isEmpty() || !APP_ID_SEGMENT.matcher(segment).matches()) {
        return false;
      }
    }
    return true;
  }

  private static void subdomain(String path, String value, Errors errors) {
    if (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
      errors.add(
          path,
          "must be a Secret name: a DNS-1123 subdomain (lower-case letters, digits, '-' and '.',"
              + " at most 253 characters); got "
              + q(value));
    }
  }

  /** Checks a TCP port number; true when it is in range. */
  private static boolean port(String path, int port, Errors errors) {
    if (port < 1 || port > 65535) {
      errors.add(path, "must be a port number between 1 and 65535; got " + port);
      return false;
    }
    return true;
  }

  /** A value quoted for a message, cut short when long. */
  private static void remediation(RemediationSpec r, Errors errors) {
    if (r == null) {
      errors.add("spec.remediation", "must be an object (omit it for the defaults)");
      return;
    }
    try {
      java.time.Duration d = Durations.parseDuration(r.getUnreachableAfter());
      if (d.compareTo(Durations.MIN_UNREACHABLE_AFTER) < 0) {
        errors.add(
            "spec.remediation.unreachableAfter",
            "must be at least 1m: a short network blip must not cost a machine; got "
                + q(r.getUnreachableAfter()));
      }
    } catch (IllegalArgumentException e) {
      errors.add(
          "spec.remediation.unreachableAfter",
          e.getMessage() + "; got " + q(r.getUnreachableAfter()));
    }
    if (r.getMaxConcurrent() < 1 || r.getMaxConcurrent() > 100) {
      errors.add("spec.remediation.maxConcurrent", "must be 1 to 100; got " + r.getMaxConcurrent());
    }
  }

  static String q(String value) {
    if (value == null) {
      return "null";
    }
    String v = value.length() > 80 ? value.substring(0, 80) + "..." : value;
    return '"' + printable(v.replace("\\", "\\\\").replace("\"", "\\\"")) + '"';
  }

  /** Control characters escaped, so no message can move a terminal's cursor. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        out.append("\\n");
      } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static final class Errors {
    private final List<ValidationError> list = new ArrayList<>();

    void add(String path, String message) {
      list.add(new ValidationError(path, message));
    }
  }
}
