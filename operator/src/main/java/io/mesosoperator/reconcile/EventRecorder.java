package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Records Kubernetes events with CamelCase reasons, without repeating itself. */
public interface EventRecorder {
  void normal(HasMetadata about, String reason, String message);

  void warning(HasMetadata about, String reason, String message);
}
