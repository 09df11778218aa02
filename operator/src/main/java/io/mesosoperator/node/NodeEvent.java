package io.mesosoperator.node;

/**
 * Something worth an event on the MesosNode.
 *
 * @param warning Warning rather than Normal
 * @param reason CamelCase reason, for example FileRestored
 * @param message what happened, naming the node and file
 */
public record NodeEvent(boolean warning, String reason, String message) {}
