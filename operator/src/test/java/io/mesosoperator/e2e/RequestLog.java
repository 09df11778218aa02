package io.mesosoperator.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.mesosoperator.testing.ControlPlane;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every request a client sent and the code the API server answered, named as RBAC names them (verb,
 * resource, namespace): what an identity used, and anything it was refused, reads included (the
 * control plane's audit log records writes only).
 */
final class RequestLog implements Interceptor {
  /** One request: an RBAC verb on {@code resource[/subresource]} of {@code group}. */
  record Request(
      String method, String path, String verb, String group, String resource, String ns, int code) {
    /** {@code "verb resource[/subresource][.group]"}, or {@code "verb /path"} for non-resources. */
    String rule() {
      if (resource == null) {
        return verb + " " + path;
      }
      return verb + " " + (group.isEmpty() ? resource : resource + "." + group);
    }

    @Override
    public String toString() {
      return method + " " + path + " -> " + code;
    }
  }

  private final List<Request> requests = new ArrayList<>();

  /**
   * A client of the control plane acting as {@code user} (impersonated by the admin certificate;
   * for a ServiceAccount the API server adds its groups), every request recorded in {@code log}.
   */
  static KubernetesClient clientAs(ControlPlane cp, String user, RequestLog log) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(cp.adminKubeconfig()));
    config.setImpersonateUsername(user);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("request-log", log))
        .build();
  }

  @Override
  public void after(
      HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> body) {
    Request r = parse(request.method(), request.uri(), response.code());
    synchronized (requests) {
      requests.add(r);
    }
  }

  /** The requests so far. */
  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** The distinct rules the requests used (see {@link Request#rule()}). */
  Set<String> rules() {
    Set<String> rules = new TreeSet<>();
    requests().forEach(r -> rules.add(r.rule()));
    return rules;
  }

  /** Requests the API server refused with 403. */
  List<Request> forbidden() {
    return requests().stream().filter(r -> r.code() == 403).toList();
  }

  /** Names a request as RBAC does: method and path to verb, group, resource and namespace. */
  static Request parse(String method, URI uri, int code) {
    String path = uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    List<String> s = new ArrayList<>(Arrays.asList(path.replaceAll("^/+", "").split("/")));
    String group;
    if (s.size() >= 2 && s.get(0).equals("api")) {
      group = "";
      s = s.subList(2, s.size());
    } else if (s.size() >= 3 && s.get(0).equals("apis")) {
      group = s.get(1);
      s = s.subList(3, s.size());
    } else {
      return new Request(method, path, method.toLowerCase(), "", null, "", code);
    }
    if (s.isEmpty()) {
      return new Request(method, path, method.toLowerCase(), "", null, "", code);
    }
    String ns = "";
    if (s.get(0).equals("namespaces") && s.size() >= 3) {
      ns = s.get(1);
      s = s.subList(2, s.size());
    }
    String resource = s.get(0) + (s.size() >= 3 ? "/" + s.get(2) : "");
    boolean named = s.size() >= 2;
    boolean watch = query.matches("(^|.*&)watch=(true|1)(&.*|$)");
    String verb =
        switch (method) {
          case "GET" -> watch ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> method.toLowerCase();
        };
    return new Request(method, path, verb, group, resource, ns, code);
  }

  /** The log of a path, for messages. */
  static String describe(List<Request> requests) {
    return String.join("\n", requests.stream().map(Request::toString).toList());
  }
}
