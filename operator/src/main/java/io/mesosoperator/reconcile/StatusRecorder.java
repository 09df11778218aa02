package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.mesosoperator.api.WithConditions;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.node.ConditionState;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one status frame of both reconcilers. A pass {@linkplain #begin begins} with a working copy
 * of the status its resource had, sets conditions in one line each ({@link StatusFrame#set}:
 * stamped with the pass's generation and the clock, {@code lastTransitionTime} kept while the
 * status stays), and {@linkplain #finish finishes} with one write, made only when the copy differs
 * from what the resource had: a converged pass writes nothing.
 *
 * <p>Failures become status here and nowhere else: a cloud call that failed is a condition value
 * ({@link #cloudFailure}), and an exception that ends a pass ({@link #failed}, the reconcilers'
 * error status handler) is recorded as {@code Reconciling=True} with reason {@value
 * #RECONCILE_ERROR} on the status the resource had, while the framework retries as before. The next
 * pass that completes takes that condition away again, unless it sets {@code Reconciling} itself.
 *
 * @param <R> the resource
 * @param <S> its status
 */
final class StatusRecorder<R extends CustomResource<?, S>, S extends WithConditions> {
  private static final Logger LOG = LoggerFactory.getLogger(StatusRecorder.class);

  /** Reconciling reason after a pass ended with an exception. */
  static final String RECONCILE_ERROR = "ReconcileError";

  /** Longest exception message kept in a condition. */
  static final int MESSAGE_LIMIT = 300;

  private final KubernetesClient client;
  private final Clock clock;
  private final Class<S> type;
  private final Supplier<S> empty;

  StatusRecorder(KubernetesClient client, Clock clock, Class<S> type, Supplier<S> empty) {
    this.client = client;
    this.clock = clock;
    this.type = type;
    this.empty = empty;
  }

  /** A pass over {@code resource}: its status copied, to be changed by the pass. */
  StatusFrame<S> begin(R resource) {
    S before = Statuses.copy(resource.getStatus(), type);
    S working = before == null ? empty.get() : Statuses.copy(before, type);
    return new StatusFrame<>(before, working, resource.getMetadata().getGeneration(), clock);
  }

  /**
   * Ends a pass: clears a failure recorded by an earlier pass (this one completed), then writes the
   * status when it differs from what the resource had. Returns whether it wrote.
   */
  boolean finish(R resource, StatusFrame<S> pass) {
    if (!pass.touched(Conditions.RECONCILING)
        && Conditions.get(pass.status().getConditions(), Conditions.RECONCILING)
            .filter(c -> RECONCILE_ERROR.equals(c.getReason()))
            .isPresent()) {
      pass.remove(Conditions.RECONCILING);
    }
    if (!pass.changed()) {
      return false;
    }
    StatusWriter.write(client, resource, pass.status());
    return true;
  }

  /**
   * Writes the working copy now, in the middle of a pass, for what others wait on (a new machine's
   * addresses); the pass goes on and {@link #finish} writes what it changes after this.
   */
  void publish(R resource, StatusFrame<S> pass) {
    StatusWriter.write(client, resource, pass.status());
  }

  /**
   * A pass ended with {@code e}: recorded on the status the resource had (what the failed pass
   * changed is dropped, as a pass that never ran). The framework's retry is kept; a failure to
   * write this is logged, never thrown over the original one.
   */
  ErrorStatusUpdateControl<R> failed(R resource, Exception e) {
    StatusFrame<S> pass = begin(resource);
    pass.set(Conditions.RECONCILING, ConditionState.isTrue(RECONCILE_ERROR, describe(e)));
    try {
      if (pass.changed()) {
        StatusWriter.write(client, resource, pass.status());
      }
    } catch (RuntimeException writeFailed) {
      LOG.info(
          "{}/{}: could not record the failed pass: {}",
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          writeFailed.getMessage());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** A failed cloud call as a condition value: transient (CloudUnavailable) or not (CloudError). */
  static ConditionState cloudFailure(CloudException e) {
    return ConditionState.isFalse(
        e.isTransient() ? "CloudUnavailable" : "CloudError", e.getMessage());
  }

  /**
   * The exception in one bounded line: its type and message (messages carry no secrets). The
   * framework's wrapper ({@link OperatorException}) is looked through to the failure it carries.
   */
  static String describe(Exception failure) {
    Throwable e = failure;
    while (e instanceof OperatorException && e.getCause() != null) {
      e = e.getCause();
    }
    String text =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    text = text.replaceAll("\\s+", " ").strip();
    return text.length() <= MESSAGE_LIMIT ? text : text.substring(0, MESSAGE_LIMIT - 3) + "...";
  }
}
