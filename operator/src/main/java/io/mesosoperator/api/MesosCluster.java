package io.mesosoperator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A highly available Apache Mesos cluster: ZooKeeper, masters, Marathon and agent pools. */
@Group(MesosCluster.GROUP)
@Version(MesosCluster.VERSION)
@ShortNames("mc")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Masters",
    jsonPath = ".status.masters",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Agents",
    jsonPath = ".status.agents",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Leader",
    jsonPath = ".status.mesosLeader",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class MesosCluster extends CustomResource<MesosClusterSpec, MesosClusterStatus>
    implements Namespaced {
  public static final String GROUP = "mesosoperator.io";
  public static final String VERSION = "v1alpha1";

  @Override
  protected MesosClusterStatus initStatus() {
    return new MesosClusterStatus();
  }
}
