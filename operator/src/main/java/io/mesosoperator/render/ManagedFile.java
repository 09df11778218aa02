package io.mesosoperator.render;

/**
 * A file (or a block inside a file) the operator owns on a node.
 *
 * @param path absolute path on the node
 * @param content whole file content, or the block's lines for a block
 * @param mode octal permissions, for example {@code 0644}
 * @param owner {@code user:group}
 * @param kind whether the operator owns the whole file or a marked block in it
 */
public record ManagedFile(String path, String content, String mode, String owner, Kind kind) {

  /** How much of the file the operator owns. */
  public enum Kind {
    /** The whole file. */
    WHOLE,
    /** A block between marker lines, appended at the end; the rest of the file is kept. */
    BLOCK_END,
    /** A block between marker lines at the start (first match wins, as in sshd_config). */
    BLOCK_START
  }

  /** First line of a managed block. */
  public static final String BLOCK_BEGIN = "# BEGIN mesos-operator managed block";

  /** Last line of a managed block. */
  public static final String BLOCK_FINISH = "# END mesos-operator managed block";

  /** A whole file owned by root, mode 0644. */
  public static ManagedFile whole(String path, String content) {
    return new ManagedFile(path, content, "0644", "root:root", Kind.WHOLE);
  }
}
