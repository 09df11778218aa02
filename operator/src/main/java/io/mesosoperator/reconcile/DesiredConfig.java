package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import java.util.List;

/** Renders one node's configuration: the seam to the pure renderer. */
@FunctionalInterface
public interface DesiredConfig {
  NodeConfig render(MesosClusterSpec spec, List<NodeInfo> nodes, NodeInfo node, NodeFacts facts);
}
