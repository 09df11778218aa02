package io.mesosoperator.cloud;

import io.mesosoperator.api.MachineSpec;
import io.mesosoperator.api.RoleType;
import java.util.List;

/**
 * One machine to create.
 *
 * @param clusterUid uid of the owning MesosCluster, tagged on the machine
 * @param clusterName name of the owning MesosCluster
 * @param node MesosNode name, tagged on the machine and used as its hostname
 * @param role role name, tagged on the machine
 * @param roleType master or agent
 * @param machine size and image
 * @param location region or zone, or null for the provider's default
 * @param publicPorts TCP ports open to the world
 */
public record MachineRequest(
    String clusterUid,
    String clusterName,
    String node,
    String role,
    RoleType roleType,
    MachineSpec machine,
    String location,
    List<Integer> publicPorts) {}
