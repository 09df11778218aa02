package io.mesosoperator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Queue;
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
 * </ul>
 */
public class MockApiDispatcher extends KubernetesMixedDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
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
    if (!"GET".equals(request.getMethod()) && request.getPath().contains("?")) {
      request = withoutWriteOptions(request);
    }
    return super.dispatch(request);
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
