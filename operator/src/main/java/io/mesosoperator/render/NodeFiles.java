package io.mesosoperator.render;

import java.util.LinkedHashMap;
import java.util.Map;

/** The text each managed path holds on a node, as the render command writes it. Pure. */
public final class NodeFiles {
  private NodeFiles() {}

  /**
   * What the operator writes for one managed file: the whole content, or for a block the block
   * between its marker lines (the rest of such a file belongs to the node).
   */
  public static String text(ManagedFile file) {
    if (file.kind() == ManagedFile.Kind.WHOLE) {
      return file.content();
    }
    return ManagedFile.BLOCK_BEGIN + "\n" + file.content() + ManagedFile.BLOCK_FINISH + "\n";
  }

  /**
   * Absolute path to text for every file of a node, in the config's order, the APT source (one
   * line) last.
   */
  public static Map<String, String> tree(NodeConfig config) {
    Map<String, String> tree = new LinkedHashMap<>();
    for (ManagedFile f : config.files()) {
      tree.put(f.path(), text(f));
    }
    if (config.aptSource() != null) {
      tree.put(config.aptSource().path(), config.aptSource().line() + "\n");
    }
    return tree;
  }
}
