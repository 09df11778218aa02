package io.mesosoperator.node;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;

/** Host key fingerprints as {@code ssh-keygen -l} prints them. */
public final class Fingerprints {
  private Fingerprints() {}

  /** {@code SHA256:} + unpadded base64 of the SHA-256 of the key's SSH wire encoding. */
  public static String sha256(PublicKey key) {
    byte[] wire = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    return sha256(wire);
  }

  /** The same for an already encoded key blob. */
  public static String sha256(byte[] wire) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(wire);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
