package io.mesosoperator.node;

import java.security.PublicKey;
import java.util.List;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * Trust on first use, then pinned: records the fingerprint the server presents and, when a
 * fingerprint is pinned, accepts only that one. Never accepts an unknown key over a pinned one.
 */
public final class PinningHostKeyVerifier implements HostKeyVerifier {
  private final String pinned;
  private volatile String presented;

  /**
   * @param pinned fingerprint recorded earlier ({@code SHA256:...}), or null on first use
   */
  public PinningHostKeyVerifier(String pinned) {
    this.pinned = pinned == null || pinned.isBlank() ? null : pinned.trim();
  }

  @Override
  public boolean verify(String hostname, int port, PublicKey key) {
    String fingerprint = Fingerprints.sha256(key);
    presented = fingerprint;
    return pinned == null || pinned.equals(fingerprint);
  }

  @Override
  public List<String> findExistingAlgorithms(String hostname, int port) {
    return List.of();
  }

  /** The fingerprint the server presented, or null before key exchange. */
  public String presented() {
    return presented;
  }

  /** The pinned fingerprint, or null. */
  public String pinned() {
    return pinned;
  }
}
