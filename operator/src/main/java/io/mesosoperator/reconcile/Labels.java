package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Labels, annotations and owner references the operator puts on what it creates. */
public final class Labels {
  public static final String PREFIX = "mesosoperator.io/";
  public static final String CLUSTER = PREFIX + "cluster";
  public static final String ROLE = PREFIX + "role";
  public static final String ROLE_TYPE = PREFIX + "role-type";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "mesos-operator";

  /** Annotation ("true") that stops every change to a cluster: ReconciliationPaused. */
  public static final String PAUSED = PREFIX + "paused";

  /**
   * Annotation ("true") that makes the operator publish what it would change (status plannedChanges
   * on the cluster, plannedActions on each node) without changing anything.
   */
  public static final String PLAN_ONLY = PREFIX + "plan-only";

  /** Annotation with the host key fingerprint a person accepts after a host key change. */
  public static final String ACCEPT_HOST_KEY =
      io.mesosoperator.node.SshNodeConfigurer.ACCEPT_HOST_KEY_ANNOTATION;

  /**
   * Annotation with any token: on a MesosNode, restart its services once for that token; on a
   * MesosCluster, roll a restart over every node (masters one at a time, then agents in batches).
   */
  public static final String RESTART = PREFIX + "restart";

  private Labels() {}

  /** The value of an annotation, or null. */
  public static String annotation(HasMetadata resource, String annotation) {
    var annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(annotation);
  }

  /** Whether an annotation is set to "true". */
  public static boolean flag(HasMetadata resource, String annotation) {
    var annotations = resource.getMetadata().getAnnotations();
    return annotations != null && "true".equalsIgnoreCase(annotations.get(annotation));
  }

  /** A controller owner reference to {@code owner}. */
  public static OwnerReference ownerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
