package io.mesosoperator.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeFiles;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.validation.ManifestReader;
import io.mesosoperator.validation.NodeListValidator;
import io.mesosoperator.validation.ValidationError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Renders every node's files to a directory: {@code DIR/<node>/<absolute path>}. Block files (the
 * {@code /etc/hosts} and {@code sshd_config} blocks) are written as the block with its marker
 * lines. Invalid input prints {@code FILE: path: message} lines, exits 1 and writes nothing.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Render each node's files to a directory.")
public class RenderCommand implements Callable<Integer> {
  private static final Pattern FACT = Pattern.compile("^[a-z0-9][a-z0-9.+-]{0,31}$");

  @Spec CommandSpec commandSpec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "CLUSTER.yaml",
      description = "The MesosCluster manifest.")
  Path clusterFile;

  @Option(
      names = "--nodes",
      required = true,
      paramLabel = "NODES.yaml",
      description =
          "A YAML list of nodes: {name, role, privateAddress, publicAddress?, ipv6Address?,"
              + " zkId?}; zkId (1-255) on every master.")
  Path nodesFile;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "Directory to write DIR/<node>/<absolute path> into.")
  Path outputDir;

  @Option(
      names = "--init",
      defaultValue = "upstart",
      converter = InitConverter.class,
      description = "Init system: upstart, systemd or sysvinit (default: ${DEFAULT-VALUE}).")
  InitStyle init;

  @Option(
      names = "--distro",
      defaultValue = "ubuntu",
      description = "Distribution id for the APT line (default: ${DEFAULT-VALUE}).")
  String distro;

  @Option(
      names = "--codename",
      defaultValue = "trusty",
      description = "Release codename for the APT line (default: ${DEFAULT-VALUE}).")
  String codename;

  /** How the cluster manifest is read; tests may swap it, the CLI always uses ManifestReader. */
  Function<Path, ManifestReader.Result> clusterReader = ManifestReader::read;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = commandSpec.commandLine().getErr();
    PrintWriter out = commandSpec.commandLine().getOut();
    List<String> problems = new ArrayList<>();

    for (String[] fact : new String[][] {{"--distro", distro}, {"--codename", codename}}) {
      if (!FACT.matcher(fact[1]).matches()) {
        throw new CommandLine.ParameterException(
            commandSpec.commandLine(),
            fact[0]
                + " must be lower-case letters, digits, '.', '+' or '-', got '"
                + fact[1]
                + "'");
      }
    }

    ManifestReader.Result read = clusterReader.apply(clusterFile);
    read.errors().forEach(e -> problems.add(clusterFile + ": " + e));
    MesosCluster cluster = read.cluster();
    if (read.errors().isEmpty() && cluster == null) {
      problems.add(clusterFile + ": could not be read");
    } else if (read.errors().isEmpty() && cluster.getSpec() == null) {
      problems.add(clusterFile + ": spec: is required");
    }

    boolean manifestSound = problems.isEmpty();
    List<NodeInfo> nodes = readNodes(nodesFile, problems);
    // Nodes are checked against the roles only when the manifest itself is sound.
    if (nodes != null && manifestSound) {
      for (ValidationError e : NodeListValidator.validate(cluster.getSpec(), nodes)) {
        problems.add(nodesFile + ": " + e);
      }
    }
    if (!problems.isEmpty()) {
      problems.forEach(err::println);
      err.flush();
      return 1;
    }

    // Everything is rendered before anything is written.
    NodeFacts facts = new NodeFacts(distro, codename, init);
    Map<String, Map<String, String>> trees = new LinkedHashMap<>();
    for (NodeConfig config : ClusterRenderer.renderAll(cluster.getSpec(), nodes, facts)) {
      trees.put(config.node(), NodeFiles.tree(config));
    }
    Path root = outputDir.toAbsolutePath().normalize();
    for (Map.Entry<String, Map<String, String>> node : trees.entrySet()) {
      Path nodeDir = root.resolve(node.getKey()).normalize();
      for (Map.Entry<String, String> file : node.getValue().entrySet()) {
        Path target = nodeDir.resolve(file.getKey().substring(1)).normalize();
        if (!target.startsWith(nodeDir)) {
          throw new IllegalStateException("refusing to write outside " + nodeDir + ": " + target);
        }
        Files.createDirectories(target.getParent());
        Files.writeString(target, file.getValue());
      }
      out.println(node.getKey() + ": " + node.getValue().size() + " files");
    }
    out.flush();
    return 0;
  }

  /** upstart, systemd or sysvinit, in any case (Main's CommandLine is shared, so not global). */
  static final class InitConverter implements CommandLine.ITypeConverter<InitStyle> {
    @Override
    public InitStyle convert(String value) {
      for (InitStyle style : InitStyle.values()) {
        if (style.name().equalsIgnoreCase(value)) {
          return style;
        }
      }
      throw new CommandLine.TypeConversionException(
          "expected upstart, systemd or sysvinit, got '" + value + "'");
    }
  }

  /** The node list, or null with the reasons added to problems. */
  static List<NodeInfo> readNodes(Path file, List<String> problems) {
    ObjectMapper yaml =
        new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    try {
      String text = Files.readString(file);
      List<NodeInfo> nodes =
          text.isBlank() ? null : yaml.readValue(text, new TypeReference<List<NodeInfo>>() {});
      if (nodes == null) {
        problems.add(file + ": nodes: the node list is empty");
      }
      return nodes;
    } catch (UnrecognizedPropertyException e) {
      List<String> known = e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
      problems.add(file + ": " + path(e) + ": unknown field; known fields: " + known);
    } catch (InvalidFormatException e) {
      problems.add(
          file
              + ": "
              + path(e)
              + ": must be "
              + (Number.class.isAssignableFrom(e.getTargetType())
                  ? "a number"
                  : "a value of " + e.getTargetType().getSimpleName())
              + ", got "
              + oneLine(String.valueOf(e.getValue())));
    } catch (JsonMappingException e) {
      String where = path(e);
      problems.add(
          file
              + ": "
              + where
              + ": "
              + (where.equals("nodes")
                  ? "must be a YAML list of {name, role, privateAddress, publicAddress,"
                      + " ipv6Address, zkId}"
                  : oneLine(e.getOriginalMessage())));
    } catch (JsonProcessingException e) {
      problems.add(file + ": nodes: not valid YAML: " + oneLine(e.getOriginalMessage()));
    } catch (NoSuchFileException e) {
      problems.add(file + ": nodes: no such file");
    } catch (IOException e) {
      problems.add(file + ": nodes: cannot be read: " + oneLine(e.getMessage()));
    }
    return null;
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      } else if (r.getFieldName() != null) {
        b.append('.').append(r.getFieldName());
      }
    }
    return b.length() == 0 ? "nodes" : b.toString();
  }

  private static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }
}
