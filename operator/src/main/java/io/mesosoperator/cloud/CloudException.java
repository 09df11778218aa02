package io.mesosoperator.cloud;

/** A cloud call failed. {@link #isTransient()} tells whether retrying may help. */
public class CloudException extends Exception {
  private final boolean transientFailure;

  public CloudException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  public CloudException(String message, boolean transientFailure) {
    this(message, transientFailure, null);
  }

  public boolean isTransient() {
    return transientFailure;
  }
}
