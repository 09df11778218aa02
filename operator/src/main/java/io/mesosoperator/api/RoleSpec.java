package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** A group of identical machines: the masters, or one pool of agents. */
@ValidationRule(
    value = "self.type != 'master' || (self.replicas % 2 == 1 && self.replicas <= 255)",
    message = "master replicas must be odd and between 1 and 255",
    reason = "FieldValueInvalid",
    fieldPath = ".replicas")
public class RoleSpec {
  /** DNS-1123 label, short enough that {@code <cluster>-<role>-<ordinal>} stays a label. */
  public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  public static final List<Integer> DEFAULT_MASTER_PORTS =
      List.of(Ports.SSH, Ports.MESOS_MASTER, Ports.MARATHON);
  public static final List<Integer> DEFAULT_AGENT_PORTS = List.of(Ports.SSH);

  @Required
  @Size(min = 1, max = 20)
  @Pattern(NAME_PATTERN)
  @JsonPropertyDescription(
      "Name of the role, a DNS-1123 label of at most 20 characters; nodes are named"
          + " <cluster>-<role>-<ordinal>.")
  private String name;

  @Required
  @JsonPropertyDescription("master (ZooKeeper, mesos-master, Marathon) or agent (mesos-slave).")
  private RoleType type;

  @Required
  @Min(0)
  @Max(1000)
  @JsonPropertyDescription(
      "Number of machines. Masters: odd, 1 to 255 (the Mesos quorum is a strict majority)."
          + " Agents: 0 or more; scaling down removes the highest ordinals first.")
  private int replicas;

  @JsonPropertyDescription("Size and image of each machine.")
  private MachineSpec machine = new MachineSpec();

  @Size(max = 32)
  @JsonPropertyDescription(
      "TCP ports open to the world. Unset: 22, 5050 and 8080 on masters, 22 on agents."
          + " ZooKeeper, Mesos and Marathon internal ports are open only inside the cluster"
          + " network.")
  private List<@Min(1) @Max(65535) Integer> ports;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Mesos agent attributes (agents only), written to /etc/mesos-slave/attributes as"
          + " key:value pairs.")
  private Map<
          @Pattern("^[A-Za-z0-9_.-]{1,63}$") String, @Pattern("^[A-Za-z0-9_./-]{0,127}$") String>
      attributes;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Packages for this role, replacing spec.packages.master or spec.packages.agent.")
  private List<@Pattern(Patterns.PACKAGE_REGEX) String> packages;

  @JsonPropertyDescription(
      "Masters only: allow growing from 1 master, which wipes the single master's Mesos"
          + " replicated log (the registry: agents, maintenance, quota, weights). Mesos cannot"
          + " add replicas to a log written with quorum 1; see docs/master-scaling.md.")
  @Default("false")
  private boolean acknowledgeLogWipe;

  /** The ports with the per-type default applied. */
  public List<Integer> portsOrDefault() {
    if (ports != null) {
      return ports;
    }
    return type == RoleType.MASTER ? DEFAULT_MASTER_PORTS : DEFAULT_AGENT_PORTS;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public RoleType getType() {
    return type;
  }

  public void setType(RoleType type) {
    this.type = type;
  }

  public int getReplicas() {
    return replicas;
  }

  public void setReplicas(int replicas) {
    this.replicas = replicas;
  }

  public MachineSpec getMachine() {
    return machine;
  }

  public void setMachine(MachineSpec machine) {
    this.machine = machine;
  }

  public List<Integer> getPorts() {
    return ports;
  }

  public void setPorts(List<Integer> ports) {
    this.ports = ports;
  }

  public Map<String, String> getAttributes() {
    return attributes;
  }

  public void setAttributes(Map<String, String> attributes) {
    this.attributes = attributes;
  }

  public List<String> getPackages() {
    return packages;
  }

  public void setPackages(List<String> packages) {
    this.packages = packages;
  }

  public boolean isAcknowledgeLogWipe() {
    return acknowledgeLogWipe;
  }

  public void setAcknowledgeLogWipe(boolean acknowledgeLogWipe) {
    this.acknowledgeLogWipe = acknowledgeLogWipe;
  }
}
