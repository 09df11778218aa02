package io.mesosoperator.validation;

/**
 * One broken rule.
 *
 * @param path field path, for example {@code spec.roles[0].replicas}
 * @param message the rule, in words
 */
public record ValidationError(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
