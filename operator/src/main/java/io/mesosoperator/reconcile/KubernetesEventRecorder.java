package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events. The same reason and message about the same object is written once:
 * repeating it on every reconcile would turn a quiet, converged cluster into a stream of writes.
 */
public final class KubernetesEventRecorder implements EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;
  private final String component;
  private final Map<String, String> lastByObjectAndReason = new ConcurrentHashMap<>();
  // Makes names unique within this process: two events about one object in the same
  // millisecond (or a clock that stands still) must not share a name, or the second is lost.
  private final AtomicLong sequence = new AtomicLong();

  public KubernetesEventRecorder(KubernetesClient client, Clock clock, String component) {
    this.client = client;
    this.clock = clock;
    this.component = component;
  }

  @Override
  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  @Override
  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    String key = about.getMetadata().getUid() + "/" + reason;
    if (text.equals(lastByObjectAndReason.put(key, text))) {
      return;
    }
    Instant at = clock.instant();
    Instant now = at.truncatedTo(ChronoUnit.SECONDS);
    String name = eventName(about.getMetadata().getName(), at, sequence.incrementAndGet());
    try {
      client
          .v1()
          .events()
          .inNamespace(about.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(about.getMetadata().getNamespace())
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(about.getApiVersion())
                          .withKind(about.getKind())
                          .withName(about.getMetadata().getName())
                          .withNamespace(about.getMetadata().getNamespace())
                          .withUid(about.getMetadata().getUid())
                          .build())
                  .withType(type)
                  .withReason(reason)
                  .withMessage(text)
                  .withFirstTimestamp(now.toString())
                  .withLastTimestamp(now.toString())
                  .withCount(1)
                  .withNewSource()
                  .withComponent(component)
                  .endSource()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // Events are best effort; never fail a reconcile because one could not be written.
      LOG.debug("could not record event {} on {}: {}", reason, about.getMetadata().getName(), e);
    }
  }

  /**
   * {@code <object>.<millis hex><sequence hex>}, like client-go's {@code <object>.<nanos hex>}: the
   * time keeps names from an earlier operator process apart, the sequence those of this one.
   */
  static String eventName(String object, Instant at, long sequence) {
    return object + "." + Long.toHexString(at.toEpochMilli()) + String.format("%04x", sequence);
  }
}
