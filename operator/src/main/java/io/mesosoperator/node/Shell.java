package io.mesosoperator.node;

/** POSIX shell quoting for values placed into remote scripts. */
public final class Shell {
  private Shell() {}

  /**
   * Quotes a value as one POSIX shell word: single quotes around everything, each {@code '} written
   * as {@code '\''}. Nothing inside single quotes is special to the shell ({@code $(...)},
   * backticks, {@code ;}, newlines stay literal). NUL cannot be passed to a shell at all and is
   * refused.
   */
  public static String quote(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a shell argument cannot contain NUL");
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** The words quoted and joined by spaces. */
  public static String words(Object... values) {
    StringBuilder b = new StringBuilder();
    for (Object v : values) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(quote(String.valueOf(v)));
    }
    return b.toString();
  }
}
