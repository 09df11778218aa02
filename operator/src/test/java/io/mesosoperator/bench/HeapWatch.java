package io.mesosoperator.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Two heap high-water marks. After every GC the JVM reports each pool's usage; the sum over the
 * heap pools is an upper bound of the live heap at that moment, but a loose one: after a young
 * collection the old generation still holds whatever died there since the last old collection, and
 * how much that is depends on the heap size and the collector's mood (G1 with -Xmx1g lets about 450
 * MiB of old garbage sit). The live heap, what -Xmx must at least allow, is sampled instead by a
 * full collection every few seconds while a scenario runs ({@link #sampleLive}).
 */
final class HeapWatch implements AutoCloseable {
  private final AtomicLong peakAfterGc = new AtomicLong();
  private final AtomicLong peakLive = new AtomicLong();
  private final AtomicLong liveSamples = new AtomicLong();
  private volatile Thread sampler;
  private final AtomicLong gcs = new AtomicLong();
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());
  private final List<Runnable> removers = new ArrayList<>();

  HeapWatch() {
    NotificationListener listener = this::onGc;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        removers.add(
            () -> {
              try {
                emitter.removeNotificationListener(listener);
              } catch (Exception ignored) {
                // already gone
              }
            });
      }
    }
  }

  private void onGc(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    gcs.incrementAndGet();
    peakAfterGc.accumulateAndGet(used, Math::max);
  }

  /** Runs a full GC so the figures include the current moment. */
  void sampleNow() {
    System.gc();
    peakLive.accumulateAndGet(
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    liveSamples.incrementAndGet();
  }

  /** Samples the live heap (a full GC, then the heap in use) every {@code periodMillis}. */
  void sampleLive(long periodMillis) {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                  return;
                }
                sampleNow();
              }
            },
            "heap-live-sampler");
    t.setDaemon(true);
    t.start();
    sampler = t;
  }

  /** Highest live heap sampled so far, in MiB. */
  double livePeakMib() {
    return peakLive.get() / (1024.0 * 1024.0);
  }

  long liveSamples() {
    return liveSamples.get();
  }

  /** Peak heap after GC so far, in MiB. */
  double peakMib() {
    return peakAfterGc.get() / (1024.0 * 1024.0);
  }

  long gcs() {
    return gcs.get();
  }

  /** Committed heap now, in MiB. */
  static double committedMib() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted()
        / (1024.0 * 1024.0);
  }

  @Override
  public void close() {
    Thread t = sampler;
    if (t != null) {
      t.interrupt();
    }
    removers.forEach(Runnable::run);
  }
}
