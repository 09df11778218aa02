package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** What the user wants: the cloud, access, software and the roles of the machines. */
@ValidationRule(
    value = "self.roles.filter(r, r.type == 'master').size() == 1",
    message = "must contain exactly one role of type master",
    reason = "FieldValueInvalid",
    fieldPath = ".roles")
// A rule cannot point its field path at a list element: the apiserver names spec.roles (a
// messageExpression naming the element exceeded the CRD's CEL cost budget 100 times over).
@ValidationRule(
    value = "self.roles.all(r, self.roles.filter(s, s.name == r.name).size() == 1)",
    message = "role names must be unique",
    reason = "FieldValueDuplicate",
    fieldPath = ".roles")
public class MesosClusterSpec {

  @Required
  @JsonPropertyDescription("Where the machines come from.")
  private CloudSpec cloud = new CloudSpec();

  @JsonPropertyDescription("How the operator logs in to the machines.")
  private SshSpec ssh = new SshSpec();

  @JsonPropertyDescription("ZooKeeper ports on the masters.")
  private ZooKeeperSpec zookeeper = new ZooKeeperSpec();

  @JsonPropertyDescription("The package repository and the packages each role installs.")
  private PackagesSpec packages = new PackagesSpec();

  @JsonPropertyDescription("Operating system settings applied to every machine.")
  private OsSpec os = new OsSpec();

  @Required
  @Size(min = 1, max = 16)
  @JsonPropertyDescription(
      "The roles of the machines, keyed by name: exactly one role of type master and any number"
          + " of agent pools.")
  private List<RoleSpec> roles = new ArrayList<>();

  @JsonPropertyDescription("Marathon settings and the apps the operator keeps deployed.")
  private MarathonSpec marathon = new MarathonSpec();

  @JsonPropertyDescription(
      "How changes that restart services on configured nodes are rolled out (masters one at a"
          + " time, leaders last; agents in batches).")
  private RolloutSpec rollout = new RolloutSpec();

  @Default("Delete")
  @JsonPropertyDescription(
      "What happens to the machines when the cluster is deleted: Delete destroys them, Retain"
          + " leaves them running.")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Delete;

  @JsonPropertyDescription(
      "Replacing broken nodes: how long a node may be unreachable, and how many at once.")
  private RemediationSpec remediation = new RemediationSpec();

  public RemediationSpec getRemediation() {
    return remediation;
  }

  public void setRemediation(RemediationSpec remediation) {
    this.remediation = remediation;
  }

  public CloudSpec getCloud() {
    return cloud;
  }

  public void setCloud(CloudSpec cloud) {
    this.cloud = cloud;
  }

  public SshSpec getSsh() {
    return ssh;
  }

  public void setSsh(SshSpec ssh) {
    this.ssh = ssh;
  }

  public ZooKeeperSpec getZookeeper() {
    return zookeeper;
  }

  public void setZookeeper(ZooKeeperSpec zookeeper) {
    this.zookeeper = zookeeper;
  }

  public PackagesSpec getPackages() {
    return packages;
  }

  public void setPackages(PackagesSpec packages) {
    this.packages = packages;
  }

  public OsSpec getOs() {
    return os;
  }

  public void setOs(OsSpec os) {
    this.os = os;
  }

  public List<RoleSpec> getRoles() {
    return roles;
  }

  public void setRoles(List<RoleSpec> roles) {
    this.roles = roles;
  }

  public MarathonSpec getMarathon() {
    return marathon;
  }

  public void setMarathon(MarathonSpec marathon) {
    this.marathon = marathon;
  }

  public RolloutSpec getRollout() {
    return rollout;
  }

  public void setRollout(RolloutSpec rollout) {
    this.rollout = rollout;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }
}
