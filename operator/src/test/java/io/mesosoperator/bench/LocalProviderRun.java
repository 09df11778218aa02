package io.mesosoperator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Only the local-provider scenario, for a run on its own: {@code mvn -B -o verify
 * -Dit.test=LocalProviderRun -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbench.variant=full} (smoke by default). Writes {@code target/bench/local-results.json}.
 */
class LocalProviderRun {
  @Test
  void localProviderScenario() throws Exception {
    Benchmark.Variant variant =
        Benchmark.Variant.valueOf(
            System.getProperty("bench.variant", "smoke").toUpperCase(Locale.ROOT));
    BenchResults results = new BenchResults(variant.name().toLowerCase(Locale.ROOT) + "-local");
    LocalProviderScenario.run(results, variant);
    results.print(System.out);
    results.write(
        MockApi.ROOT.resolve("operator/target/bench/local-results.json"), Benchmark.machine());
    BenchPlot.write(results, MockApi.ROOT.resolve("operator/target/bench/local-plot.png"));
    assertThat(results.entries()).containsKeys(LocalProviderScenario.KEYS.toArray(String[]::new));
  }
}
