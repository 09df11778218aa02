package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Node resyncs are spread over up to 10 % more than the period, never less. */
class ResyncJitterTest {

  @Test
  void jitterAddsUpToATenthOfThePeriod() {
    Duration minute = Duration.ofSeconds(60);
    assertThat(MesosNodeReconciler.jittered(minute, 0)).isEqualTo(minute);
    assertThat(MesosNodeReconciler.jittered(minute, 0.5)).isEqualTo(Duration.ofSeconds(63));
    assertThat(MesosNodeReconciler.jittered(minute, 0.999999))
        .isBetween(minute, Duration.ofSeconds(66));
    // out-of-range draws are clamped, never shorten the period
    assertThat(MesosNodeReconciler.jittered(minute, -3)).isEqualTo(minute);
    assertThat(MesosNodeReconciler.jittered(minute, 7)).isEqualTo(Duration.ofSeconds(66));
  }

  @Test
  void eachRescheduleDrawsAFreshJitter() {
    double[] draws = {0.0, 0.25, 0.75};
    AtomicInteger i = new AtomicInteger();
    MesosNodeReconciler reconciler =
        new MesosNodeReconciler(
            null,
            null,
            null,
            null,
            null,
            null,
            Duration.ofSeconds(40),
            null,
            () -> draws[i.getAndIncrement() % draws.length]);

    assertThat(reconciler.nextResync()).isEqualTo(Duration.ofSeconds(40));
    assertThat(reconciler.nextResync()).isEqualTo(Duration.ofSeconds(41));
    assertThat(reconciler.nextResync()).isEqualTo(Duration.ofSeconds(43));
  }

  @Test
  void theDefaultJitterSpreadsNodesOut() {
    MesosNodeReconciler reconciler =
        new MesosNodeReconciler(null, null, null, null, null, null, Duration.ofSeconds(60), null);
    Set<Duration> seen = new HashSet<>();
    for (int n = 0; n < 50; n++) {
      Duration d = reconciler.nextResync();
      assertThat(d).isBetween(Duration.ofSeconds(60), Duration.ofSeconds(66));
      seen.add(d);
    }
    assertThat(seen.size()).isGreaterThan(10);
  }
}
