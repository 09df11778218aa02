package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.MachineProvider;

/** Finds the machine provider of a cluster (credentials included). */
@FunctionalInterface
public interface ProviderResolver {
  MachineProvider resolve(MesosCluster cluster) throws CloudException;
}
