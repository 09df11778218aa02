package io.mesosoperator.node;

import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.util.List;
import java.util.function.Function;

/**
 * The seam between the operator and a machine: observe the node, diff it against what it must have,
 * and change only what differs.
 */
public interface NodeConfigurer {

  /**
   * Brings one node to its desired configuration.
   *
   * @param target how to reach and log in to the node
   * @param desired renders the node's configuration once its facts (distro, init system) are
   *     observed
   * @return what was observed and done; never throws for node-side failures
   */
  NodeResult configure(NodeTarget target, Function<NodeFacts, NodeConfig> desired);

  /**
   * Dry run: observes the node and says what {@link #configure} would do, doing nothing.
   *
   * @return one line per action, or one line saying why no plan could be made
   */
  default List<String> plan(NodeTarget target, Function<NodeFacts, NodeConfig> desired) {
    return List.of("this configurer cannot plan");
  }
}
