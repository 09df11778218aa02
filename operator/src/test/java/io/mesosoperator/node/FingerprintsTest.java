package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintsTest {

  @TempDir Path dir;

  @Test
  void matchesSshKeygen() throws Exception {
    for (String type : new String[] {"ed25519", "ecdsa", "rsa"}) {
      Path key = dir.resolve("k-" + type);
      TestKeys.sshKeygen(type, key);
      String pub = Files.readString(Path.of(key + ".pub")).trim();
      PublicKey parsed =
          new Buffer.PlainBuffer(Base64.getDecoder().decode(pub.split(" ")[1])).readPublicKey();
      Process p =
          new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).isZero();
      assertThat(out.split(" ")[1]).as(type).isEqualTo(Fingerprints.sha256(parsed));
    }
  }

  @Test
  void verifierPinsAfterFirstUse() throws Exception {
    Path key = dir.resolve("k");
    TestKeys.sshKeygen("ed25519", key);
    String pub = Files.readString(Path.of(key + ".pub")).trim();
    PublicKey parsed =
        new Buffer.PlainBuffer(Base64.getDecoder().decode(pub.split(" ")[1])).readPublicKey();
    PinningHostKeyVerifier tofu = new PinningHostKeyVerifier(null);
    assertThat(tofu.verify("h", 22, parsed)).isTrue();
    assertThat(tofu.presented()).startsWith("SHA256:");
    assertThat(new PinningHostKeyVerifier(tofu.presented()).verify("h", 22, parsed)).isTrue();
    PinningHostKeyVerifier other = new PinningHostKeyVerifier("SHA256:somethingElse");
    assertThat(other.verify("h", 22, parsed)).isFalse();
    assertThat(other.presented()).isEqualTo(tofu.presented());
  }
}
