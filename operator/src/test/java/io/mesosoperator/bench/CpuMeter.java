package io.mesosoperator.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the CPU of a timed phase went: the whole host's busy time (from /proc/stat) and this JVM's
 * own (the operator, the API server and the harness). The rest is the nodes' processes: on the
 * local provider every machine shares the host's cores.
 */
final class CpuMeter {
  /** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every common build. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final double hostBusy0;
  private final double jvm0;
  private final long t0 = System.nanoTime();

  CpuMeter() {
    hostBusy0 = hostBusySeconds();
    jvm0 = jvmSeconds();
  }

  /** What the phase cost so far. */
  Figures read() {
    double wall = (System.nanoTime() - t0) / 1e9;
    double host = hostBusySeconds() - hostBusy0;
    return new Figures(wall, host, jvmSeconds() - jvm0, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param wallSeconds elapsed time
   * @param hostBusySeconds CPU time the whole host was busy (all cores added up)
   * @param jvmSeconds CPU time of this JVM
   * @param cores cores of the host
   */
  record Figures(double wallSeconds, double hostBusySeconds, double jvmSeconds, int cores) {
    /** Share of the host's capacity in use over the phase, 0..1. */
    double hostBusyShare() {
      return wallSeconds <= 0 ? 0 : hostBusySeconds / (wallSeconds * cores);
    }

    /** CPU time spent outside this JVM: the machines' processes, SSH daemons, tools. */
    double otherSeconds() {
      return Math.max(0, hostBusySeconds - jvmSeconds);
    }
  }

  private static double hostBusySeconds() {
    try {
      // cpu  user nice system idle iowait irq softirq steal ...
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double jvmSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }
}
