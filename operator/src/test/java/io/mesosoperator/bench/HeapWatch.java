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
 * The heap's high-water mark after garbage collection: after every GC the JVM reports each pool's
 * usage, and the sum over the heap pools is an upper bound of the live heap at that moment. The
 * maximum over a run is the heap the process needed, independent of how lazily the collector runs.
 */
final class HeapWatch implements AutoCloseable {
  private final AtomicLong peakAfterGc = new AtomicLong();
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

  /** Runs a full GC so the figure includes the current moment. */
  void sampleNow() {
    System.gc();
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
    removers.forEach(Runnable::run);
  }
}
