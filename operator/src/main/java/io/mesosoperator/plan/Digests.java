package io.mesosoperator.plan;

import io.mesosoperator.render.ManagedFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests computed the same way the observe script computes them on the node. */
public final class Digests {
  private Digests() {}

  /** Lower-case hex SHA-256 of the UTF-8 bytes. */
  public static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * The lines a block holds on disk between the marker lines: the content with exactly one newline
   * after each line (awk prints them that way).
   */
  public static String blockBody(String content) {
    if (content.isEmpty()) {
      return "";
    }
    return content.endsWith("\n") ? content : content + "\n";
  }

  /** What a managed file's bytes (whole) or block body must be on the node. */
  public static String onDisk(ManagedFile file) {
    return file.kind() == ManagedFile.Kind.WHOLE ? file.content() : blockBody(file.content());
  }

  /** The digest the observe script reports for a converged file. */
  public static String desired(ManagedFile file) {
    return sha256(onDisk(file));
  }
}
