package io.mesosoperator.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pure core stays pure and the packages form no loop: read from the main sources' imports (and
 * fully qualified uses), so a new dependency that breaks a rule fails here, naming the file.
 */
class PackageRulesTest {
  private static final Path MAIN =
      Path.of(System.getProperty("project.root", ".."), "operator/src/main/java/io/mesosoperator");
  private static final Pattern USE = Pattern.compile("\\bio\\.mesosoperator\\.([a-z]+)\\.");

  /** What each pure package may use besides the JDK and Jackson/fabric8 model annotations. */
  private static final Map<String, Set<String>> PURE =
      Map.of(
          "api", Set.of(),
          "render", Set.of("api"),
          "plan", Set.of("api", "render"),
          "validation", Set.of("api", "render"));

  @Test
  void purePackagesUseOnlyWhatTheyMay() throws IOException {
    Map<String, Set<String>> uses = uses();
    for (var rule : PURE.entrySet()) {
      Set<String> extra = new TreeSet<>(uses.getOrDefault(rule.getKey(), Set.of()));
      extra.removeAll(rule.getValue());
      extra.remove(rule.getKey());
      assertThat(extra).as("packages %s uses beyond %s", rule.getKey(), rule.getValue()).isEmpty();
    }
  }

  @Test
  void noPackageLoop() throws IOException {
    Map<String, Set<String>> uses = uses();
    for (String start : uses.keySet()) {
      Deque<List<String>> paths = new ArrayDeque<>();
      paths.add(List.of(start));
      Set<String> seen = new TreeSet<>();
      while (!paths.isEmpty()) {
        List<String> path = paths.poll();
        String last = path.get(path.size() - 1);
        for (String next : uses.getOrDefault(last, Set.of())) {
          assertThat(next).as("package loop %s -> %s", path, next).isNotEqualTo(start);
          if (seen.add(next)) {
            paths.add(Stream.concat(path.stream(), Stream.of(next)).toList());
          }
        }
      }
    }
  }

  /** package -> the project packages its files use (top level under io.mesosoperator). */
  private static Map<String, Set<String>> uses() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Path rel = MAIN.relativize(f);
        if (rel.getNameCount() < 2) {
          continue; // Main.java, the composition root
        }
        String pkg = rel.getName(0).toString();
        Matcher m = USE.matcher(Files.readString(f));
        Set<String> used = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
        while (m.find()) {
          if (!m.group(1).equals(pkg)) {
            used.add(m.group(1));
          }
        }
      }
    }
    return uses;
  }
}
