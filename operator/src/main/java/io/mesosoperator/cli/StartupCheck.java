package io.mesosoperator.cli;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the operator checks against the API server before it starts: the API answers, the CRDs are
 * served at the version the operator speaks, and its identity may do what it needs. Each failure is
 * one line naming what is missing and how to fix it, with its own exit code.
 */
final class StartupCheck {
  /** The API server could not be reached, or refused the credentials. */
  static final int UNREACHABLE = 3;

  /** The CRDs are not served at {@value #VERSION}. */
  static final int CRDS_MISSING = 4;

  /** The operator's identity lacks a verb it needs. */
  static final int FORBIDDEN = 5;

  static final String GROUP = "mesosoperator.io";
  static final String VERSION = "v1alpha1";

  /** Why the operator will not start: the exit code and the one line to print. */
  record Refusal(int exitCode, String line) {}

  /** One permission: verb on group/resource[/subresource]. */
  record Permission(String verb, String group, String resource, String subresource) {
    @Override
    public String toString() {
      String r = group.isEmpty() ? resource : resource + "." + group;
      return verb + " " + (subresource == null ? r : r + "/" + subresource);
    }
  }

  private StartupCheck() {}

  /**
   * The permissions the operator needs, exactly the Helm chart's rules (the README's RBAC
   * paragraph; {@code StartupCheckTest} holds the two together); the Lease ones only with leader
   * election.
   */
  static List<Permission> needed(boolean leaderElection) {
    List<Permission> p = new ArrayList<>();
    for (String v : List.of("get", "list", "watch", "patch")) {
      p.add(new Permission(v, GROUP, "mesosclusters", null));
    }
    for (String v : List.of("get", "list", "watch", "create", "delete", "patch")) {
      p.add(new Permission(v, GROUP, "mesosnodes", null));
    }
    for (String r : List.of("mesosclusters", "mesosnodes")) {
      p.add(new Permission("patch", GROUP, r, "status"));
      p.add(new Permission("update", GROUP, r, "finalizers"));
    }
    for (String v : List.of("get", "create", "update")) {
      p.add(new Permission(v, "", "secrets", null));
    }
    p.add(new Permission("create", "", "events", null));
    if (leaderElection) {
      for (String v : List.of("get", "create", "update", "patch")) {
        p.add(new Permission(v, "coordination.k8s.io", "leases", null));
      }
    }
    return p;
  }

  /**
   * Runs the checks in order and returns the first failure.
   *
   * @param client a client that fails fast (no request retries)
   * @param namespaces the watched namespaces; empty means all
   * @param leaseNamespace the Lease's namespace, or null without leader election
   */
  static Optional<Refusal> run(
      KubernetesClient client, Set<String> namespaces, String leaseNamespace) {
    String api = String.valueOf(client.getMasterUrl());
    try {
      client.getKubernetesVersion();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401) {
        return Optional.of(
            new Refusal(
                UNREACHABLE,
                "the Kubernetes API at "
                    + api
                    + " refused the credentials (401); check KUBECONFIG or the ServiceAccount"
                    + " token"));
      }
      return Optional.of(
          new Refusal(
              UNREACHABLE,
              "cannot reach the Kubernetes API at "
                  + api
                  + ": "
                  + rootMessage(e)
                  + "; set KUBECONFIG (or run in a cluster) to a reachable API server"));
    }
    APIResourceList served;
    try {
      served = client.getApiResources(GROUP + "/" + VERSION);
    } catch (KubernetesClientException e) {
      served = null;
    }
    Set<String> names =
        served == null
            ? Set.of()
            : served.getResources().stream().map(APIResource::getName).collect(Collectors.toSet());
    List<String> missing = new ArrayList<>();
    for (String r : List.of("mesosclusters", "mesosnodes")) {
      if (!names.contains(r) || !names.contains(r + "/status")) {
        missing.add(r + "." + GROUP + " " + VERSION);
      }
    }
    if (!missing.isEmpty()) {
      return Optional.of(
          new Refusal(
              CRDS_MISSING,
              "the API server at "
                  + api
                  + " does not serve "
                  + String.join(", ", missing)
                  + "; install the CRDs with: kubectl apply -f crds/"));
    }
    Set<String> denied = new LinkedHashSet<>();
    List<String> scopes = namespaces.isEmpty() ? List.of("") : List.copyOf(namespaces);
    for (Permission p : needed(false)) {
      for (String ns : scopes) {
        if (!allowed(client, p, ns)) {
          denied.add(p + (ns.isEmpty() ? " (all namespaces)" : " (namespace " + ns + ")"));
        }
      }
    }
    if (leaseNamespace != null) {
      for (Permission p : needed(true)) {
        if ("leases".equals(p.resource()) && !allowed(client, p, leaseNamespace)) {
          denied.add(p + " (namespace " + leaseNamespace + ")");
        }
      }
    }
    if (!denied.isEmpty()) {
      return Optional.of(
          new Refusal(
              FORBIDDEN,
              "the operator's identity may not "
                  + String.join(", ", denied)
                  + "; grant these verbs (the Helm chart's rules, or the README's RBAC list)"));
    }
    return Optional.empty();
  }

  private static boolean allowed(KubernetesClient client, Permission p, String namespace) {
    SelfSubjectAccessReview review =
        new SelfSubjectAccessReviewBuilder()
            .withNewSpec()
            .withNewResourceAttributes()
            .withVerb(p.verb())
            .withGroup(p.group())
            .withResource(p.resource())
            .withSubresource(p.subresource())
            .withNamespace(namespace)
            .endResourceAttributes()
            .endSpec()
            .build();
    SelfSubjectAccessReview answer =
        client.authorization().v1().selfSubjectAccessReview().create(review);
    return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
