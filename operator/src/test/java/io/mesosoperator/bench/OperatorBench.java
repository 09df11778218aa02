package io.mesosoperator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark of issue 8: run only by {@code mvn -B -Pbench verify} (the bench profile makes
 * failsafe run {@code *Bench}). Prints the table and writes {@code
 * operator/target/bench/results.json}. It fails only when a scenario could not produce its keys,
 * never on a missed goal: the table says which goals hold.
 */
class OperatorBench {
  @TempDir Path work;

  @Test
  void benchmark() throws Exception {
    BenchResults results = Benchmark.run(Benchmark.Variant.FULL, work);
    results.print(System.out);
    Path out = MockApi.ROOT.resolve("operator/target/bench/results.json");
    results.write(out, Benchmark.machine());
    System.out.println("wrote " + out.toAbsolutePath().normalize());
    Path plot = MockApi.ROOT.resolve("operator/target/bench/plot.png");
    if (BenchPlot.write(results, plot)) {
      System.out.println("wrote " + plot.toAbsolutePath().normalize());
    }
    assertThat(results.entries()).containsKeys(BenchResults.KEYS.toArray(String[]::new));
  }
}
