package io.mesosoperator.testing;

import java.util.Arrays;
import java.util.Map;

/** For a failure message: the stacks of the threads that are inside the operator's code now. */
public final class ThreadDump {
  private ThreadDump() {}

  /** Every live thread but the caller with a frame in {@code io.mesosoperator}, main code only. */
  public static String ofOperator() {
    StringBuilder out = new StringBuilder();
    Thread self = Thread.currentThread();
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      StackTraceElement[] stack = e.getValue();
      boolean ours =
          Arrays.stream(stack)
              .anyMatch(
                  f ->
                      f.getClassName().startsWith("io.mesosoperator.")
                          && !f.getClassName().startsWith("io.mesosoperator.e2e.")
                          && !f.getClassName().startsWith("io.mesosoperator.testing."));
      if (e.getKey() == self || !ours) {
        continue;
      }
      out.append("\n\"").append(e.getKey().getName()).append("\" ").append(e.getKey().getState());
      for (StackTraceElement f : stack) {
        out.append("\n    at ").append(f);
      }
    }
    return out.length() == 0 ? "\n(no thread inside the operator's code)" : out.toString();
  }
}
