package io.mesosoperator.node;

import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.util.List;
import java.util.function.Function;

/** A configurer that touches nothing: for tests of the operator without node configuration. */
public final class NoopNodeConfigurer implements NodeConfigurer {
  @Override
  public NodeResult configure(NodeTarget target, Function<NodeFacts, NodeConfig> desired) {
    ConditionState off =
        ConditionState.unknown("ConfigurationDisabled", "node configuration is switched off");
    return new NodeResult(off, off, off, null, null, 0, 0, 0, List.of());
  }
}
