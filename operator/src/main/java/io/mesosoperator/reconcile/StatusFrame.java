package io.mesosoperator.reconcile;

import io.mesosoperator.api.WithConditions;
import io.mesosoperator.node.ConditionState;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;

/**
 * One pass's working copy of a status, made by {@link StatusRecorder#begin}: the pass writes into
 * {@link #status()} and sets conditions in one line each; {@link StatusRecorder#finish} writes it
 * only when it differs from the status the resource had.
 *
 * @param <S> the status type
 */
final class StatusFrame<S extends WithConditions> {
  private final S before;
  private final S status;
  private final Long generation;
  private final Clock clock;
  private final Set<String> touched = new HashSet<>();

  StatusFrame(S before, S status, Long generation, Clock clock) {
    this.before = before;
    this.status = status;
    this.generation = generation;
    this.clock = clock;
  }

  /** The working copy: the pass writes into it. */
  S status() {
    return status;
  }

  /** The status the resource had when the pass began (null: none yet); never changed. */
  S before() {
    return before;
  }

  /** The resource's generation this pass works for. */
  Long generation() {
    return generation;
  }

  /**
   * Sets one condition for this pass's generation; {@code lastTransitionTime} is kept while the
   * condition's status stays.
   */
  void set(String type, ConditionState state) {
    touched.add(type);
    status.setConditions(
        Conditions.set(status.getConditions(), type, state, generation, clock.instant()));
  }

  /** Removes one condition. */
  void remove(String type) {
    touched.add(type);
    status.setConditions(Conditions.remove(status.getConditions(), type));
  }

  /** Whether the condition of {@code type} is True in the working copy. */
  boolean isTrue(String type) {
    return Conditions.isTrue(status.getConditions(), type);
  }

  /** Whether this pass set or removed the condition of {@code type}. */
  boolean touched(String type) {
    return touched.contains(type);
  }

  /** Whether the working copy differs from the status the resource had. */
  boolean changed() {
    return !Statuses.same(before, status);
  }
}
