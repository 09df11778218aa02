package io.mesosoperator.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;

/**
 * Golden directories: {@code operator/src/test/resources/golden/<case>/<node>/<absolute path>}.
 *
 * <p>To accept new output, run the tests with {@code -Dgolden.update=true} (for example {@code mvn
 * -o test -Dtest='*GoldenTest' -Dgolden.update=true}); the case directory is then rewritten from
 * the current output and the git diff is what to review. The tutorial case was written by hand from
 * the tutorial's text: an update that changes one of its files is a bug, not a new golden.
 */
public final class Golden {
  private Golden() {}

  /** The golden root, found from Maven's project.root or the module's working directory. */
  public static Path root() {
    String projectRoot = System.getProperty("project.root");
    Path module = projectRoot != null ? Path.of(projectRoot, "operator") : Path.of("");
    return module.resolve("src/test/resources/golden");
  }

  /** A test input kept beside the golden files, under {@code golden/inputs}. */
  public static Path input(String name) {
    return root().resolve("inputs").resolve(name);
  }

  /** Key "<node><absolute path>" to text, in path order: the shape of a golden directory. */
  public static Map<String, String> flatten(Map<String, Map<String, String>> trees) {
    Map<String, String> flat = new TreeMap<>();
    trees.forEach((node, files) -> files.forEach((path, text) -> flat.put(node + path, text)));
    return flat;
  }

  /** Every regular file under a directory, keyed "/"-separated relative to it, with its text. */
  public static Map<String, String> readDir(Path dir) {
    Map<String, String> files = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Compares (or, with -Dgolden.update=true, rewrites) one golden case, file by file. */
  public static void assertTree(String caseName, Map<String, String> actual) {
    Path dir = root().resolve(caseName);
    if (Boolean.getBoolean("golden.update")) {
      rewrite(dir, actual);
    }
    Map<String, String> expected = readDir(dir);
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(actual.keySet())
        .as("files of golden case %s (%s); -Dgolden.update=true rewrites it", caseName, dir)
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String got = actual.get(e.getKey());
      if (got != null && !got.equals(e.getValue())) {
        soft.assertThat(got)
            .as("golden %s/%s differs %s", caseName, e.getKey(), firstDifference(e.getValue(), got))
            .isEqualTo(e.getValue());
      }
    }
    soft.assertAll();
    assertThat(expected).as("golden case %s must not be empty", caseName).isNotEmpty();
  }

  /** "at line N: expected <..> but was <..>", so a long file's change is found at a glance. */
  static String firstDifference(String expected, String actual) {
    String[] e = expected.split("\n", -1);
    String[] a = actual.split("\n", -1);
    for (int i = 0; i < Math.max(e.length, a.length); i++) {
      String el = i < e.length ? e[i] : "<end of file>";
      String al = i < a.length ? a[i] : "<end of file>";
      if (!el.equals(al)) {
        return "at line " + (i + 1) + ": expected [" + el + "] but was [" + al + "]";
      }
    }
    return "";
  }

  private static void rewrite(Path dir, Map<String, String> actual) {
    try {
      if (Files.exists(dir)) {
        List<Path> old = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
          walk.sorted(Comparator.reverseOrder()).forEach(old::add);
        }
        for (Path p : old) {
          Files.delete(p);
        }
      }
      for (Map.Entry<String, String> e : actual.entrySet()) {
        Path target = dir.resolve(e.getKey());
        Files.createDirectories(target.getParent());
        Files.writeString(target, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
