package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.userauth.keyprovider.PKCS8KeyFile;
import net.schmizz.sshj.userauth.password.PasswordUtils;

/**
 * The admin's SSH key of a cluster: from {@code spec.ssh.keySecret}, or generated once and kept in
 * a Secret the cluster owns (the seed's "install a new SSH key").
 */
public final class ClusterKeys {
  public static final String PRIVATE_KEY = "ssh-privatekey";
  public static final String PUBLIC_KEY = "ssh-publickey";

  private final KubernetesClient client;

  public ClusterKeys(KubernetesClient client) {
    this.client = client;
  }

  /**
   * A key pair: the private key (PEM or OpenSSH text) and the public key in authorized_keys form.
   */
  public record Key(String privateKey, String publicKey) {
    @Override
    public String toString() {
      return "Key[" + publicKey.substring(0, Math.min(24, publicKey.length())) + "...]";
    }
  }

  /** Name of the Secret that holds the cluster's key. */
  public static String secretName(MesosCluster cluster) {
    String configured = cluster.getSpec().getSsh().getKeySecret();
    return configured != null ? configured : cluster.getMetadata().getName() + "-ssh";
  }

  /**
   * Makes sure the generated Secret exists when the user named none. Returns true when it created
   * one (a Kubernetes write), false when nothing was needed.
   */
  public boolean ensureGenerated(MesosCluster cluster)
      throws GeneralSecurityException, IOException {
    if (cluster.getSpec().getSsh().getKeySecret() != null) {
      return false;
    }
    String ns = cluster.getMetadata().getNamespace();
    String name = secretName(cluster);
    if (client.secrets().inNamespace(ns).withName(name).get() != null) {
      return false;
    }
    Key key = generate();
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(Map.of(Labels.CLUSTER, cluster.getMetadata().getName()))
            .withOwnerReferences(Labels.ownerReference(cluster))
            .endMetadata()
            .withType("kubernetes.io/ssh-auth")
            .withData(
                Map.of(PRIVATE_KEY, encode(key.privateKey()), PUBLIC_KEY, encode(key.publicKey())))
            .build();
    client.secrets().inNamespace(ns).resource(secret).create();
    return true;
  }

  /** Reads the cluster's key, or null when its Secret does not exist (yet). */
  public Key read(MesosCluster cluster) throws IOException {
    Secret secret =
        client
            .secrets()
            .inNamespace(cluster.getMetadata().getNamespace())
            .withName(secretName(cluster))
            .get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(PRIVATE_KEY)) {
      return null;
    }
    String privateKey = decode(secret.getData().get(PRIVATE_KEY));
    String publicKey =
        secret.getData().containsKey(PUBLIC_KEY)
            ? decode(secret.getData().get(PUBLIC_KEY)).trim()
            : publicKeyOf(privateKey);
    return new Key(privateKey, publicKey);
  }

  /** A fresh RSA 3072 key pair: understood by every OpenSSH from Ubuntu 14.04's on. */
  public static Key generate() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(3072);
    KeyPair pair = generator.generateKeyPair();
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    return new Key(pem, authorizedKey(pair.getPublic()));
  }

  /** The public key in authorized_keys form. */
  public static String authorizedKey(PublicKey key) {
    byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    return KeyType.fromKey(key)
        + " "
        + Base64.getEncoder().encodeToString(blob)
        + " mesos-operator";
  }

  /** Derives the public key from a PKCS#8/PEM private key. */
  public static String publicKeyOf(String privateKey) throws IOException {
    PKCS8KeyFile file = new PKCS8KeyFile();
    file.init(privateKey, null, PasswordUtils.createOneOff(new char[0]));
    return authorizedKey(file.getPublic());
  }

  /** Base64 for Secret data (stringData is an API server convenience some servers lack). */
  static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
