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
import java.security.interfaces.RSAKey;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
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

  /** Path of the field a problem with the user's key Secret is reported at. */
  public static final String KEY_SECRET_FIELD = "spec.ssh.keySecret";

  /** Smallest RSA modulus accepted for the admin key. */
  public static final int MIN_RSA_BITS = 2048;

  /**
   * What is wrong with the Secret the user named in {@code spec.ssh.keySecret}, or null when it
   * holds a usable private key (or the user named none: the operator generates one). Checked before
   * any cloud call, so a bad key stops the cluster before a machine exists that nobody could log in
   * to. The message never quotes the Secret's content.
   */
  public String secretProblem(MesosCluster cluster) {
    String name = cluster.getSpec().getSsh().getKeySecret();
    if (name == null) {
      return null;
    }
    String ns = cluster.getMetadata().getNamespace();
    Secret secret = client.secrets().inNamespace(ns).withName(name).get();
    String what = "Secret \"" + name + "\"";
    if (secret == null) {
      return what + " not found in namespace " + ns;
    }
    String encoded = secret.getData() == null ? null : secret.getData().get(PRIVATE_KEY);
    if (encoded == null || encoded.isBlank()) {
      return what + " has no " + PRIVATE_KEY + " key (a kubernetes.io/ssh-auth Secret is expected)";
    }
    String text;
    try {
      text = decode(encoded);
    } catch (IllegalArgumentException e) {
      return what + ": " + PRIVATE_KEY + " is not valid base64";
    }
    String problem = keyProblem(text);
    return problem == null ? null : what + ": " + PRIVATE_KEY + " " + problem;
  }

  /**
   * Why a text is not a usable unencrypted SSH private key of a supported type (RSA of at least
   * {@value #MIN_RSA_BITS} bits, ECDSA or Ed25519), or null when it is one.
   */
  public static String keyProblem(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return "is empty";
    }
    if (t.startsWith("ssh-") || t.startsWith("ecdsa-") || t.startsWith("sk-")) {
      return "is a public key (authorized_keys form), not a private key";
    }
    if (t.startsWith("-----BEGIN PUBLIC KEY-----")
        || t.startsWith("-----BEGIN RSA PUBLIC KEY-----")
        || t.startsWith("---- BEGIN SSH2 PUBLIC KEY ----")) {
      return "is a public key, not a private key";
    }
    if (t.startsWith("-----BEGIN DSA PRIVATE KEY-----")) {
      return dsa();
    }
    if (t.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || t.contains("Proc-Type: 4,ENCRYPTED")) {
      return "is encrypted with a passphrase; the operator needs an unencrypted key";
    }
    if (!t.startsWith("-----BEGIN ") || !t.contains("PRIVATE KEY-----")) {
      return "is not an SSH private key (OpenSSH or PEM form expected)";
    }
    PublicKey publicKey;
    try (SSHClient parser = new SSHClient()) {
      KeyProvider keys = parser.loadKeys(t, null, PasswordUtils.createOneOff(new char[0]));
      publicKey = keys.getPublic();
      keys.getPrivate();
    } catch (IOException | RuntimeException e) {
      // The cause is dropped on purpose: parsers may quote key material.
      String lower = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
      if (lower.contains("dss") || lower.contains("dsa")) {
        return dsa();
      }
      if (lower.contains("passphrase") || lower.contains("encrypt") || lower.contains("password")) {
        return "is encrypted with a passphrase; the operator needs an unencrypted key";
      }
      return "cannot be read as an SSH private key (OpenSSH or PEM form expected)";
    }
    KeyType type = KeyType.fromKey(publicKey);
    if (type == KeyType.DSA || "DSA".equals(publicKey.getAlgorithm())) {
      return dsa();
    }
    if (type == KeyType.UNKNOWN) {
      return "is a key of an unsupported type " + publicKey.getAlgorithm();
    }
    if (publicKey instanceof RSAKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
      return "is an RSA key of "
          + rsa.getModulus().bitLength()
          + " bits; at least "
          + MIN_RSA_BITS
          + " are needed";
    }
    return null;
  }

  private static String dsa() {
    return "is a DSA (ssh-dss) key, which current OpenSSH servers refuse; use Ed25519, ECDSA or RSA";
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
