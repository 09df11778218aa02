package io.mesosoperator.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * No Docker engine here, so the Dockerfile is checked as text: it copies the jar the build really
 * produces, runs it the way the chart expects, and never as root.
 */
class DockerfileTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));

  /** One Dockerfile instruction: keyword and its arguments, continuation lines joined. */
  record Instruction(String keyword, String args) {}

  static List<Instruction> parse(String dockerfile) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : dockerfile.split("\n", -1)) {
      String trimmed = line.strip();
      if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String[] parts = current.toString().strip().split("\\s+", 2);
      out.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
      current.setLength(0);
    }
    return out;
  }

  private static List<Instruction> instructions() throws IOException {
    return parse(Files.readString(ROOT.resolve("Dockerfile")));
  }

  private static List<Instruction> all(List<Instruction> in, String keyword) {
    return in.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  private static String shadedJarName() throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    Document pom = factory.newDocumentBuilder().parse(ROOT.resolve("operator/pom.xml").toFile());
    String finalName =
        XPathFactory.newInstance()
            .newXPath()
            .evaluate(
                "//*[local-name()='plugin'][*[local-name()='artifactId']='maven-shade-plugin']"
                    + "//*[local-name()='finalName']",
                pom);
    assertThat(finalName).as("shade plugin finalName in operator/pom.xml").isNotBlank();
    return finalName.strip() + ".jar";
  }

  @Test
  void copiesTheJarTheShadePluginBuilds() throws Exception {
    List<Instruction> copies = all(instructions(), "COPY");
    assertThat(copies).hasSize(1);
    String[] paths = copies.get(0).args().split("\\s+");
    assertThat(paths).hasSize(2);
    assertThat(paths[0]).isEqualTo("operator/target/" + shadedJarName());
    assertThat(paths[1]).isEqualTo("/app/mesos-operator.jar");
    // The build context lets exactly that file through.
    assertThat(Files.readString(ROOT.resolve(".dockerignore"))).contains("!" + paths[0]);
  }

  @Test
  void runsTheJarAsNonRootWithRunAsDefault() throws Exception {
    List<Instruction> in = instructions();
    assertThat(all(in, "FROM"))
        .singleElement()
        .satisfies(f -> assertThat(f.args()).startsWith("eclipse-temurin:17-jre"));

    List<Instruction> users = all(in, "USER");
    assertThat(users).isNotEmpty();
    String user = users.get(users.size() - 1).args().split(":")[0];
    // Numeric, so the kubelet can enforce runAsNonRoot; and the chart's runAsUser.
    assertThat(user).matches("\\d+");
    assertThat(Integer.parseInt(user)).isNotZero().isEqualTo(65532);
    assertThat(in.indexOf(users.get(users.size() - 1)))
        .as("USER comes after every COPY and RUN")
        .isGreaterThan(in.indexOf(all(in, "COPY").get(0)));

    ObjectMapper json = new ObjectMapper();
    List<String> entrypoint =
        List.of(json.readValue(all(in, "ENTRYPOINT").get(0).args(), String[].class));
    assertThat(entrypoint).containsExactly("java", "-jar", "/app/mesos-operator.jar");
    assertThat(json.readValue(all(in, "CMD").get(0).args(), String[].class)).containsExactly("run");
    // The chart starts the same program.
    assertThat(Files.readString(ROOT.resolve("helm/mesos-operator/templates/deployment.yaml")))
        .contains("command: [\"java\", \"-jar\", \"/app/mesos-operator.jar\"]");
  }

  @Test
  void parserJoinsContinuationsAndSkipsComments() {
    assertThat(parse("# c\nFROM a\nLABEL x=1 \\\n  y=2\n\nuser 7\n"))
        .containsExactly(
            new Instruction("FROM", "a"),
            new Instruction("LABEL", "x=1  y=2"),
            new Instruction("USER", "7"));
  }
}
