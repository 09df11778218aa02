package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import java.util.List;

/**
 * Renders one node's configuration: the seam to the pure renderer ({@code ClusterRenderer::render}
 * fits). {@code settings} carries a master's effective quorum and ensemble while masters scale.
 */
@FunctionalInterface
public interface DesiredConfig {
  NodeConfig render(
      MesosClusterSpec spec,
      List<NodeInfo> nodes,
      NodeInfo node,
      NodeFacts facts,
      ClusterRenderer.MasterSettings settings);
}
