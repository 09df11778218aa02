package io.mesosoperator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * fabric8's CRUD mock, taught what the operator asks of a real apiserver and the mock gets wrong:
 *
 * <ul>
 *   <li>the discovery document of {@code mesosoperator.io/v1alpha1} and SelfSubjectAccessReviews
 *       (every verb allowed; RBAC is tested on the real apiserver), both checked at start;
 *   <li>write options in the query ({@code ?fieldManager=}): with a query after {@code /status} the
 *       mock no longer sees a status subresource write and silently drops the status. The mock does
 *       not model field managers, so they are dropped.
 *   <li>server-side apply ({@code application/apply-patch+yaml}), which the mock answers with 415:
 *       see {@link #apply}.
 * </ul>
 *
 * <p>Writes are serialized here (reads and watches are not), so an apply's read and write see one
 * version of the object, as the apiserver's single update does.
 */
public class MockApiDispatcher extends KubernetesMixedDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String APPLY = "application/apply-patch+yaml";
  private static final String REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  private static final String OWN_GROUP = "/apis/mesosoperator.io/v1alpha1";
  private static final String OWN_RESOURCES =
      "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":"
          + "\"mesosoperator.io/v1alpha1\",\"resources\":["
          + resource("mesosclusters", "MesosCluster")
          + ","
          + resource("mesosclusters/status", "MesosCluster")
          + ","
          + resource("mesosnodes", "MesosNode")
          + ","
          + resource("mesosnodes/status", "MesosNode")
          + "]}";

  private final Object writes = new Object();
  private final Map<String, JsonNode> lastApplied = new ConcurrentHashMap<>();

  public MockApiDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
    super(responses);
  }

  private static String resource(String name, String kind) {
    return "{\"name\":\"" + name + "\",\"namespaced\":true,\"kind\":\"" + kind + "\"}";
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if ("POST".equals(request.getMethod()) && request.getPath().startsWith(REVIEWS)) {
      ObjectNode review;
      try {
        review = (ObjectNode) JSON.readTree(request.getBody().getBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      review.putObject("status").put("allowed", true);
      return json(201, review.toString());
    }
    if ("GET".equals(request.getMethod()) && request.getPath().equals(OWN_GROUP)) {
      return json(200, OWN_RESOURCES);
    }
    if ("GET".equals(request.getMethod())) {
      return super.dispatch(request);
    }
    synchronized (writes) {
      if ("PATCH".equals(request.getMethod()) && isApply(request)) {
        return apply(request);
      }
      if (request.getPath().contains("?")) {
        request = withoutWriteOptions(request);
      }
      return super.dispatch(request);
    }
  }

  private static boolean isApply(RecordedRequest request) {
    String type = request.getHeader("Content-Type");
    return type != null && type.startsWith(APPLY);
  }

  /**
   * Server-side apply as the apiserver does it, for what the operator and its tests apply: the
   * {@code fieldManager} parameter is required (422 without); an object that does not exist is
   * created (status apply: 404); otherwise the applied fields are merged into the object: maps key
   * by key, {@code metadata.finalizers} as a set ({@code listType=set}), other lists whole (the
   * CRDs declare no list type, so theirs are atomic); a {@code metadata.resourceVersion} in the
   * applied object must match (409). On the main resource {@code status} is ignored, on {@code
   * /status} only {@code status} counts (both CRDs have the status subresource).
   *
   * <p>The mock keeps no {@code managedFields}, so what needs them is refused (415, as the
   * unmodified mock refuses every apply, but saying why) rather than answered wrongly: an apply
   * without {@code force=true} that changes a value (a conflict or not depends on who owns it), and
   * an apply that leaves out a field the same manager applied before (the apiserver removes it
   * unless another manager owns it).
   */
  private MockResponse apply(RecordedRequest request) {
    String full = request.getPath();
    int q = full.indexOf('?');
    String path = q < 0 ? full : full.substring(0, q);
    Map<String, String> params = new LinkedHashMap<>();
    if (q >= 0) {
      for (String p : full.substring(q + 1).split("&")) {
        int eq = p.indexOf('=');
        params.put(
            eq < 0 ? p : p.substring(0, eq),
            eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    if (!path.startsWith(OWN_GROUP + "/")) {
      return status(
          415, "UnsupportedMediaType", "the mock applies only mesosoperator.io resources");
    }
    String manager = params.get("fieldManager");
    if (manager == null || manager.isEmpty()) {
      return status(422, "Invalid", "fieldManager: Required value: is required for apply patch");
    }
    boolean force = "true".equals(params.get("force"));
    boolean status = path.endsWith("/status");
    String objectPath = status ? path.substring(0, path.length() - "/status".length()) : path;
    ObjectNode applied;
    try {
      applied = (ObjectNode) YAML.readTree(request.getBody().getBytes());
    } catch (IOException | ClassCastException e) {
      return status(400, "BadRequest", "the apply patch is not an object: " + e.getMessage());
    }
    MockResponse got = super.dispatch(request("GET", objectPath, null, null));
    if (got.code() == 404) {
      if (status) {
        return got;
      }
      applied.remove("status");
      String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
      MockResponse created =
          super.dispatch(request("POST", collection, "application/json", applied.toString()));
      remember(created, manager, false, applied);
      return created;
    }
    ObjectNode current;
    try {
      current = (ObjectNode) JSON.readTree(got.getBody().getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String rv = applied.path("metadata").path("resourceVersion").asText("");
    if (!rv.isEmpty() && !rv.equals(current.path("metadata").path("resourceVersion").asText())) {
      return status(409, "Conflict", "the object has been modified");
    }
    ObjectNode config = applied.deepCopy();
    if (!config.path("metadata").isObject()) {
      config.putObject("metadata");
    }
    if (status) {
      config.retain("apiVersion", "kind", "metadata", "status");
      ((ObjectNode) config.path("metadata")).retain("name", "namespace");
    } else {
      config.remove("status");
    }
    ObjectNode metadata = (ObjectNode) config.path("metadata");
    metadata.remove(List.of("resourceVersion", "managedFields", "uid", "creationTimestamp"));
    if (metadata.has("ownerReferences")) {
      return status(
          415,
          "UnsupportedMediaType",
          "the mock does not apply ownerReferences (a map keyed by uid)");
    }
    String key = current.path("metadata").path("uid").asText() + " " + manager + " " + status;
    JsonNode before = lastApplied.get(key);
    if (before != null) {
      List<String> dropped = new ArrayList<>();
      missing(before, config, "", dropped);
      if (!dropped.isEmpty()) {
        return status(
            415,
            "UnsupportedMediaType",
            "the mock keeps no managedFields: cannot remove " + dropped + " applied by " + manager);
      }
    }
    ObjectNode merged = current.deepCopy();
    List<String> changed = new ArrayList<>();
    merge(merged, config, "", changed);
    if (!force && !changed.isEmpty()) {
      return status(
          415,
          "UnsupportedMediaType",
          "the mock keeps no managedFields: an apply without force changing "
              + changed
              + " may or may not conflict");
    }
    // The whole merged object as an update (the mock's merge patch appends to lists).
    MockResponse patched =
        super.dispatch(request("PUT", path, "application/json", merged.toString()));
    remember(patched, manager, status, config);
    return patched;
  }

  private void remember(MockResponse response, String manager, boolean status, JsonNode config) {
    if (response.code() >= 300) {
      return;
    }
    try {
      JsonNode object = JSON.readTree(response.getBody().getBytes());
      String uid = object.path("metadata").path("uid").asText();
      lastApplied.put(uid + " " + manager + " " + status, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Merges {@code applied} into {@code into}, naming each value that changed. */
  private static void merge(ObjectNode into, JsonNode applied, String at, List<String> changed) {
    for (Iterator<Map.Entry<String, JsonNode>> it = applied.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String here = at + "." + e.getKey();
      JsonNode have = into.get(e.getKey());
      JsonNode want = e.getValue();
      if (want.isNull()) {
        continue; // null in an apply configuration sets nothing
      }
      if (want.isObject() && have != null && have.isObject()) {
        merge((ObjectNode) have, want, here, changed);
      } else if (".metadata.finalizers".equals(here) && have != null && have.isArray()) {
        ArrayNode union = ((ArrayNode) have).deepCopy();
        for (JsonNode f : want) {
          if (!contains(union, f)) {
            union.add(f);
            changed.add(here + "[" + f.asText() + "]");
          }
        }
        into.set(e.getKey(), union);
      } else {
        if (!want.equals(have)) {
          changed.add(here);
        }
        into.set(e.getKey(), want);
      }
    }
  }

  /** The fields of {@code before} that {@code now} leaves out. */
  private static void missing(JsonNode before, JsonNode now, String at, List<String> out) {
    if (!before.isObject()) {
      return; // a value or an atomic list: replaced whole, nothing left out
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = before.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String here = at + "." + e.getKey();
      JsonNode there = now.get(e.getKey());
      if (".metadata.finalizers".equals(here)) {
        for (JsonNode f : e.getValue()) {
          if (there == null || !there.isArray() || !contains((ArrayNode) there, f)) {
            out.add(here + "[" + f.asText() + "]");
          }
        }
      } else if (there == null || there.isNull()) {
        out.add(here);
      } else {
        missing(e.getValue(), there, here, out);
      }
    }
  }

  private static boolean contains(ArrayNode list, JsonNode value) {
    for (JsonNode v : list) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static RecordedRequest request(String method, String path, String type, String body) {
    Headers.Builder headers = new Headers.Builder();
    if (type != null) {
      headers.add("Content-Type", type);
    }
    Buffer buffer = new Buffer();
    if (body != null) {
      buffer.write(body.getBytes(StandardCharsets.UTF_8));
    }
    return new RecordedRequest(
        "HTTP/1.1", HttpMethod.valueOf(method), path, headers.build(), buffer);
  }

  private static MockResponse status(int code, String reason, String message) {
    ObjectNode s = JSON.createObjectNode();
    s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure");
    s.put("message", message).put("reason", reason).put("code", code);
    return json(code, s.toString());
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  private static RecordedRequest withoutWriteOptions(RecordedRequest request) {
    String path = request.getPath();
    int q = path.indexOf('?');
    String kept =
        Arrays.stream(path.substring(q + 1).split("&"))
            .filter(p -> !p.startsWith("fieldManager=") && !p.startsWith("force="))
            .collect(Collectors.joining("&"));
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        path.substring(0, q) + (kept.isEmpty() ? "" : "?" + kept),
        request.getHeaders(),
        new Buffer(request.getBody().getBytes()));
  }
}
