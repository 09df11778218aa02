package io.mesosoperator.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An in-process Kubernetes API for tests and the demo: the fabric8 mock server in CRUD mode on
 * 127.0.0.1 (plain HTTP), plus the discovery documents ({@code /version}, {@code /api}, {@code
 * /api/v1}, {@code /apis} and the group versions) that real {@code kubectl} needs before it sends
 * anything. Not a kube-apiserver: no admission, no schema validation, no server-side apply.
 */
public final class ApiServer implements AutoCloseable {
  /** The project's API group and version. */
  public static final String GROUP = "mesosoperator.io";

  public static final String VERSION = "v1alpha1";

  private static final java.util.logging.Logger QUIET =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final Discovery discovery;

  private ApiServer(int port) throws IOException {
    discovery = new Discovery(new io.mesosoperator.testing.MockApiDispatcher(new HashMap<>()));
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), discovery, false);
    server.init(InetAddress.getByName("127.0.0.1"), port);
    client = server.createClient();
  }

  /** Starts on 127.0.0.1:port (0: any free port). */
  public static ApiServer start(int port) throws IOException {
    // The mock logs every request through java.util.logging at INFO: keep logs readable.
    QUIET.setLevel(java.util.logging.Level.WARNING);
    return new ApiServer(port);
  }

  public KubernetesClient client() {
    return client;
  }

  public int port() {
    return server.getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** Creates the project's CRDs (from {@code crds/}) and the namespaces. */
  public void installCrds(Path projectRoot, String... namespaces) throws IOException {
    for (String f :
        List.of("mesosclusters.mesosoperator.io.yaml", "mesosnodes.mesosoperator.io.yaml")) {
      try (InputStream in = Files.newInputStream(projectRoot.resolve("crds").resolve(f))) {
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    }
    for (String ns : namespaces) {
      ensureNamespace(ns);
    }
  }

  /** Creates a namespace unless it exists. */
  public void ensureNamespace(String ns) {
    if (client.namespaces().withName(ns).get() == null) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
  }

  /** Writes a kubeconfig (mode 0600) for this server with the given default namespace. */
  public Path writeKubeconfig(Path file, String namespace) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    String text =
        "apiVersion: v1\n"
            + "kind: Config\n"
            + "clusters:\n"
            + "- name: mesos-operator-demo\n"
            + "  cluster:\n"
            + "    server: "
            + url()
            + "\n"
            + "contexts:\n"
            + "- name: mesos-operator-demo\n"
            + "  context:\n"
            + "    cluster: mesos-operator-demo\n"
            + "    user: demo\n"
            + "    namespace: "
            + namespace
            + "\n"
            + "current-context: mesos-operator-demo\n"
            + "users:\n"
            + "- name: demo\n"
            + "  user:\n"
            + "    token: demo\n";
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** Requests that change something (method and path), taken from the server's queue. */
  public List<String> takeWrites() throws InterruptedException {
    List<String> writes = new ArrayList<>();
    for (int i = 0; i < 1_000_000; i++) {
      RecordedRequest r = server.takeRequest(10, TimeUnit.MILLISECONDS);
      if (r == null) {
        break;
      }
      if (!"GET".equals(r.getMethod())) {
        writes.add(r.getMethod() + " " + r.getPath());
      }
    }
    return writes;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** Discovery documents first, everything else to the CRUD dispatcher. */
  private static final class Discovery extends Dispatcher {
    private final Dispatcher crud;
    private final Map<String, String> docs = new HashMap<>();

    Discovery(Dispatcher crud) {
      this.crud = crud;
      docs.put(
          "/version",
          "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-mock\","
              + "\"platform\":\"linux/amd64\"}");
      docs.put("/api", "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}");
      docs.put(
          "/api/v1",
          resources(
              "v1",
              resource("namespaces", "namespace", "Namespace", false, "ns"),
              resource("secrets", "secret", "Secret", true),
              resource("events", "event", "Event", true, "ev"),
              resource("configmaps", "configmap", "ConfigMap", true, "cm")));
      docs.put(
          "/apis",
          "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":["
              + group(GROUP, VERSION)
              + ","
              + group("apiextensions.k8s.io", "v1")
              + "]}");
      docs.put(
          "/apis/" + GROUP + "/" + VERSION,
          resources(
              GROUP + "/" + VERSION,
              resource("mesosclusters", "mesoscluster", "MesosCluster", true, "mc"),
              resource("mesosclusters/status", "", "MesosCluster", true),
              resource("mesosnodes", "mesosnode", "MesosNode", true, "mn"),
              resource("mesosnodes/status", "", "MesosNode", true)));
      docs.put(
          "/apis/apiextensions.k8s.io/v1",
          resources(
              "apiextensions.k8s.io/v1",
              resource(
                  "customresourcedefinitions",
                  "customresourcedefinition",
                  "CustomResourceDefinition",
                  false,
                  "crd",
                  "crds")));
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      int q = path.indexOf('?');
      String bare = q < 0 ? path : path.substring(0, q);
      if ("GET".equals(request.getMethod()) && docs.containsKey(bare)) {
        return new MockResponse()
            .setResponseCode(200)
            .addHeader("Content-Type", "application/json")
            .setBody(docs.get(bare));
      }
      return crud.dispatch(request);
    }

    @Override
    public void shutdown() {
      crud.shutdown();
    }

    private static String group(String name, String version) {
      String gv = "{\"groupVersion\":\"" + name + "/" + version + "\",\"version\":\"" + version;
      return "{\"name\":\""
          + name
          + "\",\"versions\":["
          + gv
          + "\"}],\"preferredVersion\":"
          + gv
          + "\"}}";
    }

    private static String resources(String groupVersion, String... resources) {
      return "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\""
          + groupVersion
          + "\",\"resources\":["
          + String.join(",", resources)
          + "]}";
    }

    private static String resource(
        String name, String singular, String kind, boolean namespaced, String... shortNames) {
      boolean sub = name.contains("/");
      StringBuilder b =
          new StringBuilder("{\"name\":\"")
              .append(name)
              .append("\",\"singularName\":\"")
              .append(singular)
              .append("\",\"namespaced\":")
              .append(namespaced)
              .append(",\"kind\":\"")
              .append(kind)
              .append("\",\"verbs\":")
              .append(
                  sub
                      ? "[\"get\",\"patch\",\"update\"]"
                      : "[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\","
                          + "\"update\",\"watch\"]");
      if (shortNames.length > 0) {
        b.append(",\"shortNames\":[\"").append(String.join("\",\"", shortNames)).append("\"]");
      }
      return b.append('}').toString();
    }
  }
}
