package io.mesosoperator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Writes a whole status with one JSON patch ({@code add /status}), so fields that went away are
 * removed too. Callers write only when the status changed.
 */
final class StatusWriter {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private StatusWriter() {}

  static <T extends HasMetadata> void write(KubernetesClient client, T resource, Object status) {
    ArrayNode patch = MAPPER.createArrayNode();
    patch
        .addObject()
        .put("op", "add")
        .put("path", "/status")
        .set("value", MAPPER.valueToTree(status));
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) resource.getClass();
    client
        .resources(type)
        .inNamespace(resource.getMetadata().getNamespace())
        .withName(resource.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), patch.toString());
  }
}
