package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.validation.ManifestReader;
import io.mesosoperator.validation.ValidationError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Random mutations of valid manifests (types flipped, fields deleted or added, hostile strings,
 * huge numbers, deep nesting, broken text) through ManifestReader and SpecValidator: never an
 * exception, always valid or errors with a non-empty path, always within a time bound. Every valid
 * result renders for every init style, into absolute paths free of {@code ..}.
 *
 * <p>500 tries per property by default (src/test/resources/junit-platform.properties); longer:
 * {@code -Djqwik.tries.default=20000}.
 */
class ManifestFuzzTest {
  /** Per document: generous for a loaded 2-core CI machine; a regex blow-up takes far longer. */
  static final long BOUND_MS = 2_000;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final List<JsonNode> SEEDS = seeds();
  private static final String[] HOSTILE = {
    "a; touch /tmp/pwned",
    "$(id)",
    "`id`",
    "a\nb: c",
    "--option",
    "-oProxyCommand=x",
    "../../etc/passwd",
    "/etc/shadow",
    "\u0000",
    "\u202e",
    "' OR 1=1",
    "\"",
    "{{x}}",
    "*",
    "&a",
    "!!binary AAAA",
    "x".repeat(70_000),
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
    "deb http://a/ $(id) main",
    "0x10",
    "1e400",
    "",
    " "
  };

  static final AtomicLong TRIED = new AtomicLong();
  static final AtomicLong REJECTED = new AtomicLong();
  static final AtomicLong VALID = new AtomicLong();
  static final AtomicLong RENDERED = new AtomicLong();
  static final AtomicLong SLOWEST = new AtomicLong();

  private static List<JsonNode> seeds() {
    Path root = Harness.ROOT;
    List<Path> files =
        List.of(
            root.resolve("examples/tutorial-3x3.yaml"),
            root.resolve("examples/plumbery-3x9.yaml"),
            root.resolve("examples/aws-ec2.yaml"),
            root.resolve("examples/byon.yaml"),
            root.resolve("examples/local.yaml"),
            root.resolve("operator/src/test/resources/clusters/tutorial-stub.yaml"));
    List<JsonNode> out = new ArrayList<>();
    for (Path f : files) {
      try {
        JsonNode doc = YAML.readTree(Files.readString(f));
        ManifestReader.Result r = ManifestReader.parse(Files.readString(f));
        assertThat(r.errors()).as("seed %s must be valid", f).isEmpty();
        out.add(doc);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  @Provide
  Arbitrary<String> mutated() {
    return Arbitraries.longs()
        .map(
            seed -> {
              Random r = new Random(seed);
              JsonNode doc = SEEDS.get(r.nextInt(SEEDS.size())).deepCopy();
              int n = 1 + r.nextInt(4);
              for (int i = 0; i < n; i++) {
                doc = mutate(doc, r);
              }
              String text;
              try {
                text = YAML.writeValueAsString(doc);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              return r.nextInt(8) == 0 ? breakText(text, r) : text;
            });
  }

  @Property
  void mutatedManifestsAreJudgedWithoutExceptionWithinTheBound(@ForAll("mutated") String yaml) {
    long started = System.nanoTime();
    ManifestReader.Result result = ManifestReader.parse(yaml);
    long ms = (System.nanoTime() - started) / 1_000_000;
    SLOWEST.accumulateAndGet(ms, Math::max);
    TRIED.incrementAndGet();
    assertThat(ms).as("milliseconds to judge one manifest").isLessThan(BOUND_MS);
    assertThat(result).isNotNull();
    if (result.valid()) {
      VALID.incrementAndGet();
      assertThat(result.cluster()).isNotNull();
      renderEveryNode(result.cluster().getSpec(), result.cluster().getMetadata().getName());
    } else {
      REJECTED.incrementAndGet();
      for (ValidationError e : result.errors()) {
        assertThat(e.path()).as("path of %s", e).isNotBlank();
        assertThat(e.message()).isNotBlank();
        // Error text is one printable line: it goes to terminals, conditions and events.
        assertThat(e.toString()).doesNotContain("\n").doesNotContain("\u0000");
      }
    }
  }

  /** Valid specs render for every init style into absolute paths without {@code ..}. */
  static void renderEveryNode(MesosClusterSpec spec, String cluster) {
    List<NodeInfo> nodes = new ArrayList<>();
    int address = 1;
    for (RoleSpec role : spec.getRoles()) {
      int zk = 1;
      for (int i = 0; i < Math.min(role.getReplicas(), 7); i++) {
        nodes.add(
            new NodeInfo(
                cluster + "-" + role.getName() + "-" + i,
                role.getName(),
                "10.0." + (address / 250) + "." + (1 + address % 250),
                null,
                null,
                role.getType() == RoleType.MASTER ? zk++ : null));
        address++;
      }
    }
    if (nodes.isEmpty()) {
      return;
    }
    for (InitStyle init : InitStyle.values()) {
      List<NodeConfig> configs =
          ClusterRenderer.renderAll(spec, nodes, new NodeFacts("ubuntu", "trusty", init));
      RENDERED.incrementAndGet();
      for (NodeConfig c : configs) {
        for (ManagedFile f : c.files()) {
          assertThat(f.path()).startsWith("/").doesNotContain("/../").doesNotEndWith("/..");
          assertThat(f.path()).doesNotContain("\n").doesNotContain("//");
          assertThat(Path.of(f.path()).normalize().toString()).isEqualTo(f.path());
        }
      }
    }
  }

  private static JsonNode mutate(JsonNode doc, Random r) {
    List<String> paths = new ArrayList<>();
    collect(doc, "", paths);
    if (paths.isEmpty()) {
      return doc;
    }
    String path = paths.get(r.nextInt(paths.size()));
    JsonNode parent =
        path.lastIndexOf('/') <= 0 ? doc : doc.at(path.substring(0, path.lastIndexOf('/')));
    String key = path.substring(path.lastIndexOf('/') + 1);
    JsonNode replacement;
    switch (r.nextInt(10)) {
      case 0 -> replacement = null; // delete
      case 1 -> replacement = F.textNode(HOSTILE[r.nextInt(HOSTILE.length)]);
      case 2 -> replacement = hugeNumber(r);
      case 3 -> replacement = nest(r.nextInt(120), r);
      case 4 -> replacement = F.booleanNode(r.nextBoolean());
      case 5 -> replacement = F.nullNode();
      case 6 -> replacement = F.objectNode().put(HOSTILE[r.nextInt(HOSTILE.length)], 1);
      case 7 -> replacement = F.arrayNode().add(doc.at(path)).add(doc.at(path));
      case 8 -> {
        // An unknown field beside the chosen one.
        if (parent instanceof ObjectNode o) {
          o.put("x" + r.nextInt(99), HOSTILE[r.nextInt(HOSTILE.length)]);
        }
        return doc;
      }
      default -> replacement = F.numberNode(r.nextInt() % 70_000);
    }
    if (parent instanceof ObjectNode o) {
      if (replacement == null) {
        o.remove(key);
      } else {
        o.set(key, replacement);
      }
    } else if (parent instanceof ArrayNode a) {
      int i = Integer.parseInt(key);
      if (replacement == null) {
        a.remove(i);
      } else {
        a.set(i, replacement);
      }
    }
    return doc;
  }

  private static void collect(JsonNode node, String at, List<String> out) {
    if (node.isObject()) {
      node.fieldNames()
          .forEachRemaining(
              k -> {
                if (!k.contains("/") && !k.contains("~")) {
                  out.add(at + "/" + k);
                  collect(node.get(k), at + "/" + k, out);
                }
              });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        out.add(at + "/" + i);
        collect(node.get(i), at + "/" + i, out);
      }
    }
  }

  private static JsonNode hugeNumber(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> F.numberNode(new BigInteger("9".repeat(1 + r.nextInt(400))));
      case 1 -> F.numberNode(Long.MIN_VALUE);
      case 2 -> F.numberNode(Integer.MAX_VALUE + 1L);
      case 3 -> F.numberNode(Double.MAX_VALUE);
      case 4 -> F.numberNode(-0.5);
      default -> F.numberNode(r.nextLong());
    };
  }

  private static JsonNode nest(int depth, Random r) {
    JsonNode n = F.textNode("x");
    for (int i = 0; i < depth; i++) {
      n = r.nextBoolean() ? F.arrayNode().add(n) : F.objectNode().set("a", n);
    }
    return n;
  }

  private static String breakText(String text, Random r) {
    int at = r.nextInt(text.length() + 1);
    return switch (r.nextInt(5)) {
      case 0 -> text.substring(0, at);
      case 1 -> text.substring(0, at) + "\t" + text.substring(at);
      case 2 -> text.substring(0, at) + ": [" + text.substring(at);
      case 3 -> text.substring(0, at) + "\n---\n" + text.substring(at);
      default -> text.substring(0, at) + "&x *x " + text.substring(at);
    };
  }

  @AfterContainer
  static void record() {
    if (TRIED.get() > 0) {
      Figures.record(
          "fuzz: ManifestReader + SpecValidator",
          new Figures.Row(
              0,
              0,
              0,
              TRIED.get(),
              REJECTED.get(),
              VALID.get()
                  + " mutants still valid, all rendered ("
                  + RENDERED.get()
                  + " cluster renders, 3 init styles); 0 exceptions; slowest judgement "
                  + SLOWEST.get()
                  + " ms (bound "
                  + BOUND_MS
                  + " ms)"));
    }
  }
}
