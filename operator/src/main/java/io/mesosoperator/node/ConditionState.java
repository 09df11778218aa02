package io.mesosoperator.node;

/**
 * The value of one condition, before it gets a timestamp.
 *
 * @param status True, False or Unknown
 * @param reason CamelCase reason
 * @param message human-readable detail
 */
public record ConditionState(String status, String reason, String message) {
  public static ConditionState isTrue(String reason, String message) {
    return new ConditionState("True", reason, message);
  }

  public static ConditionState isFalse(String reason, String message) {
    return new ConditionState("False", reason, message);
  }

  public static ConditionState unknown(String reason, String message) {
    return new ConditionState("Unknown", reason, message);
  }

  public boolean isTrue() {
    return "True".equals(status);
  }
}
