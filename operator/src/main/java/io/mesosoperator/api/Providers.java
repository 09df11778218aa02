package io.mesosoperator.api;

import java.util.List;

/** The machine providers this build knows. */
public final class Providers {
  /** Linux network namespaces on this host: for development and tests. */
  public static final String LOCAL = "local";

  /** jclouds' in-memory compute provider. */
  public static final String STUB = "stub";

  /** jclouds "bring your own nodes": adopts machines listed in the spec. */
  public static final String BYON = "byon";

  /** Every provider id accepted in spec.cloud.provider. Keep in step with {@link #CEL_LIST}. */
  public static final List<String> KNOWN =
      List.of(LOCAL, STUB, BYON, "aws-ec2", "digitalocean2", "google-compute-engine");

  /** The same list as a CEL literal, for the CRD schema. */
  public static final String CEL_LIST =
      "['local', 'stub', 'byon', 'aws-ec2', 'digitalocean2', 'google-compute-engine']";

  private Providers() {}
}
