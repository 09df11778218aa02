package io.mesosoperator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Writes a whole status with one JSON patch on the status subresource ({@code add /status}), so
 * fields that went away are removed too, under the operator's field manager. The patch first tests
 * {@code /metadata/uid}: a status computed for an object that was deleted and re-created under the
 * same name is refused by the API server (422) instead of landing on the new object. Callers write
 * only when the status changed.
 */
public final class StatusWriter {
  /** The field manager of every write the operator makes. */
  public static final String FIELD_MANAGER = "mesos-operator";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private StatusWriter() {}

  static <T extends HasMetadata> void write(KubernetesClient client, T resource, Object status) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) resource.getClass();
    client
        .resources(type)
        .inNamespace(resource.getMetadata().getNamespace())
        .withName(resource.getMetadata().getName())
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.JSON)
                .withFieldManager(FIELD_MANAGER)
                .build(),
            patch(resource.getMetadata().getUid(), status));
  }

  /** The patch: a uid test (when the object has one), then the whole status. */
  static String patch(String uid, Object status) {
    ArrayNode patch = MAPPER.createArrayNode();
    if (uid != null) {
      patch.addObject().put("op", "test").put("path", "/metadata/uid").put("value", uid);
    }
    patch
        .addObject()
        .put("op", "add")
        .put("path", "/status")
        .set("value", MAPPER.valueToTree(status));
    return patch.toString();
  }
}
