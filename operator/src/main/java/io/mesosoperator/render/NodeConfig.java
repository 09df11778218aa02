package io.mesosoperator.render;

import io.mesosoperator.api.RoleType;
import java.util.List;
import java.util.Map;

/**
 * Everything one node must have. Pure data, rendered from the spec and the node list.
 *
 * @param node node name
 * @param roleType master or agent
 * @param hostname the node's hostname
 * @param files managed files, in the order they should be written
 * @param aptSource the extra repository, or null when none
 * @param packages packages to install, possibly pinned (name=version)
 * @param upgrade run the OS upgrade once
 * @param clockSync keep the clock synchronised
 * @param services services that must run, in start order (zookeeper, mesos-master, marathon;
 *     mesos-slave)
 * @param disabledServices services the role must not run
 * @param restartTriggers for each service, the managed file paths whose change restarts it
 * @param firewall the host firewall (also one of {@code files}, at {@link HostFirewall#PATH}), or
 *     null for none
 */
public record NodeConfig(
    String node,
    RoleType roleType,
    String hostname,
    List<ManagedFile> files,
    AptSource aptSource,
    List<String> packages,
    boolean upgrade,
    boolean clockSync,
    List<String> services,
    List<String> disabledServices,
    Map<String, List<String>> restartTriggers,
    HostFirewall firewall) {

  /** A configuration without a host firewall. */
  public NodeConfig(
      String node,
      RoleType roleType,
      String hostname,
      List<ManagedFile> files,
      AptSource aptSource,
      List<String> packages,
      boolean upgrade,
      boolean clockSync,
      List<String> services,
      List<String> disabledServices,
      Map<String, List<String>> restartTriggers) {
    this(
        node,
        roleType,
        hostname,
        files,
        aptSource,
        packages,
        upgrade,
        clockSync,
        services,
        disabledServices,
        restartTriggers,
        null);
  }
}
