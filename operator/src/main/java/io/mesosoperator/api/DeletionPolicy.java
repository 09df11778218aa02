package io.mesosoperator.api;

/** What happens to the machines when the cluster (or one node) is deleted. */
public enum DeletionPolicy {
  /** Destroy the machines before the resource goes. */
  Delete,
  /** Leave the machines running and say so in an event. */
  Retain
}
