package io.mesosoperator.validation;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.Quantity;
import io.mesosoperator.api.MesosCluster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads MesosCluster manifests from YAML files, strictly: what the API server would refuse is
 * refused here, with the field path, before anything reaches a cluster.
 */
public final class ManifestReader {
  /** Larger files are refused before they are parsed. */
  public static final int MAX_BYTES = 1024 * 1024;

  public static final String API_VERSION = MesosCluster.GROUP + "/" + MesosCluster.VERSION;
  public static final String KIND = "MesosCluster";

  /** Path of errors about the file itself (missing, unreadable, too large). */
  public static final String FILE = "<file>";

  /** Path of errors about a whole document (broken YAML, not a mapping). */
  public static final String DOCUMENT = "<document>";

  private static final YAMLMapper MAPPER = mapper();

  private ManifestReader() {}

  /**
   * What reading one file gave.
   *
   * @param cluster the parsed resource, or null when it could not be parsed
   * @param errors parse and validation errors; empty when valid
   */
  public record Result(MesosCluster cluster, List<ValidationError> errors) {
    public boolean valid() {
      return errors.isEmpty();
    }
  }

  /**
   * Parses and validates one file. A file may hold several YAML documents separated by {@code ---};
   * each must be a MesosCluster, and then error paths start with {@code <document N>.} (counting
   * from 1). {@link Result#cluster()} is the first MesosCluster read.
   */
  public static Result read(Path file) {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        return failed(FILE, tooLarge(size));
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return failed(FILE, "cannot read: no such file");
    } catch (IOException | RuntimeException e) {
      return failed(FILE, "cannot read: " + e);
    }
    // The file can have grown between the two calls.
    if (bytes.length > MAX_BYTES) {
      return failed(FILE, tooLarge(bytes.length));
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return failed(FILE, "cannot read: not UTF-8 text");
    }
    return parse(text);
  }

  /** Parses and validates YAML text, as {@link #read(Path)} does for a file's contents. */
  public static Result parse(String yaml) {
    if (yaml.length() > MAX_BYTES) {
      return failed(FILE, tooLarge(yaml.length()));
    }
    List<JsonNode> documents = new ArrayList<>();
    // Document by document: a MappingIterator would unwrap a top-level list into its items.
    try (JsonParser parser = MAPPER.createParser(yaml)) {
      while (parser.nextToken() != null) {
        JsonNode doc = MAPPER.readTree(parser);
        // Empty documents (a leading or trailing ---) are no resource at all.
        boolean empty =
            doc == null
                || doc.isNull()
                || doc.isMissingNode()
                || (doc.isTextual() && doc.asText().isEmpty());
        if (!empty) {
          documents.add(doc);
        }
      }
    } catch (JacksonException e) {
      return failed(DOCUMENT, yamlError(e));
    } catch (IOException | RuntimeException e) {
      return failed(DOCUMENT, "invalid YAML: " + SpecValidator.printable(String.valueOf(e)));
    }
    if (documents.isEmpty()) {
      return failed(DOCUMENT, "empty: no MesosCluster in it");
    }
    boolean several = documents.size() > 1;
    MesosCluster first = null;
    List<ValidationError> errors = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      String prefix = several ? "<document " + (i + 1) + ">" : "";
      MesosCluster cluster = document(documents.get(i), prefix, errors);
      if (first == null) {
        first = cluster;
      }
    }
    return new Result(first, List.copyOf(errors));
  }

  /** Checks one document, adds its errors, and returns the resource when it could be bound. */
  private static MesosCluster document(JsonNode doc, String prefix, List<ValidationError> errors) {
    List<ValidationError> own = new ArrayList<>();
    if (!doc.isObject()) {
      add(
          errors,
          prefix,
          DOCUMENT,
          "must be a mapping (a Kubernetes resource with apiVersion, kind, metadata and spec); got "
              + describe(doc));
      return null;
    }
    JsonNode kind = doc.get("kind");
    JsonNode apiVersion = doc.get("apiVersion");
    if (kind != null && !kind.isNull() && (!kind.isTextual() || !KIND.equals(kind.asText()))) {
      // Another kind of resource: nothing else about it matters here.
      add(
          errors,
          prefix,
          "kind",
          "must be " + KIND + " (only MesosCluster manifests are read); got " + show(kind));
      return null;
    }
    if (apiVersion == null || apiVersion.isNull()) {
      own.add(new ValidationError("apiVersion", "required: " + API_VERSION));
    } else if (!apiVersion.isTextual() || !API_VERSION.equals(apiVersion.asText())) {
      own.add(
          new ValidationError(
              "apiVersion", "must be " + API_VERSION + "; got " + show(apiVersion)));
    }
    if (kind == null || kind.isNull()) {
      own.add(new ValidationError("kind", "required: " + KIND));
    }
    List<ValidationError> required = requiredFields(doc);

    ObjectNode body = ((ObjectNode) doc).deepCopy();
    body.remove("apiVersion");
    body.remove("kind");
    List<ValidationError> unknown = new ArrayList<>();
    MesosCluster cluster;
    try {
      cluster =
          MAPPER
              .readerFor(MesosCluster.class)
              .withHandler(new UnknownFields(unknown))
              .readValue(MAPPER.treeAsTokens(body));
    } catch (JsonMappingException e) {
      own.addAll(required);
      own.addAll(unknown);
      own.add(new ValidationError(path(e.getPath()), bindError(e, doc)));
      addAll(errors, prefix, own);
      return null;
    } catch (IOException | RuntimeException e) {
      own.addAll(required);
      own.addAll(unknown);
      own.add(new ValidationError(DOCUMENT, "cannot be read: " + SpecValidator.printable("" + e)));
      addAll(errors, prefix, own);
      return null;
    }
    own.addAll(unknown);
    if (cluster.getMetadata() != null) {
      // ObjectMeta keeps unknown fields aside instead of failing.
      for (String key : cluster.getMetadata().getAdditionalProperties().keySet()) {
        own.add(new ValidationError("metadata" + segment(key), "unknown field"));
      }
    }
    own.addAll(merge(SpecValidator.validate(cluster), required));
    addAll(errors, prefix, own);
    return cluster;
  }

  /**
   * The validator's errors with the "required" ones the typed object cannot see put in their place:
   * a missing replicas reads as 0, so "required" replaces "must be between 1 and 255" at the same
   * path, and otherwise goes after the other errors of its role.
   */
  private static List<ValidationError> merge(
      List<ValidationError> validated, List<ValidationError> required) {
    List<ValidationError> out = new ArrayList<>(validated);
    for (ValidationError r : required) {
      int same = -1;
      int after = out.size();
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).path().equals(r.path())) {
          same = i;
          break;
        }
        if (after == out.size() && rank(out.get(i).path()) > rank(r.path())) {
          after = i;
        }
      }
      if (same >= 0) {
        out.set(same, r);
      } else {
        out.add(after, r);
      }
    }
    return out;
  }

  /** Orders paths by spec field: roles by index, then what follows the roles. */
  private static int rank(String path) {
    if (path.startsWith("spec.roles[")) {
      int end = path.indexOf(']');
      return 1 + Integer.parseInt(path.substring("spec.roles[".length(), end));
    }
    return path.startsWith("spec.marathon") || path.startsWith("spec.deletionPolicy")
        ? Integer.MAX_VALUE
        : 0;
  }

  /**
   * Required fields the typed object cannot show as missing: an absent int reads as 0. (Absent
   * strings and objects are null there, and SpecValidator reports them.)
   */
  private static List<ValidationError> requiredFields(JsonNode doc) {
    List<ValidationError> errors = new ArrayList<>();
    JsonNode roles = doc.path("spec").path("roles");
    if (roles.isArray()) {
      for (int i = 0; i < roles.size(); i++) {
        JsonNode role = roles.get(i);
        if (role.isObject() && (role.get("replicas") == null || role.get("replicas").isNull())) {
          errors.add(new ValidationError("spec.roles[" + i + "].replicas", "required"));
        }
      }
    }
    return errors;
  }

  /** Collects every unknown field (with its path) and skips it, so one run reports them all. */
  private static final class UnknownFields extends DeserializationProblemHandler {
    private final List<ValidationError> found;

    UnknownFields(List<ValidationError> found) {
      this.found = found;
    }

    @Override
    public boolean handleUnknownProperty(
        DeserializationContext ctxt,
        JsonParser p,
        JsonDeserializer<?> deserializer,
        Object beanOrClass,
        String propertyName)
        throws IOException {
      JsonStreamContext ctx = p.getParsingContext();
      // On a structured value the parser has already stepped into it.
      if ((p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY)
          && ctx.getParent() != null) {
        ctx = ctx.getParent();
      }
      String path = contextPath(ctx);
      found.add(
          new ValidationError(
              path.isEmpty() ? propertyName : path,
              "unknown field" + suggestion(propertyName, deserializer.getKnownPropertyNames())));
      p.skipChildren();
      return true;
    }
  }

  /** The field path of the parser's position, e.g. {@code spec.roles[1].replica}. */
  private static String contextPath(JsonStreamContext ctx) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.add("[" + Math.max(0, c.getCurrentIndex()) + "]");
      } else if (c.getCurrentName() != null) {
        parts.add(segment(c.getCurrentName()));
      }
    }
    StringBuilder out = new StringBuilder();
    for (int i = parts.size() - 1; i >= 0; i--) {
      out.append(parts.get(i));
    }
    return strip(out.toString());
  }

  /** Jackson's reference chain as a field path: {@code spec.roles[0].name}. */
  static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : refs) {
      if (ref.getFieldName() != null) {
        if (ref.getFrom() instanceof Map) {
          out.append('[').append(SpecValidator.printable(ref.getFieldName())).append(']');
        } else {
          out.append(segment(ref.getFieldName()));
        }
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    String p = strip(out.toString());
    return p.isEmpty() ? DOCUMENT : p;
  }

  private static String segment(String name) {
    return "." + SpecValidator.printable(name);
  }

  private static String strip(String path) {
    return path.startsWith(".") ? path.substring(1) : path;
  }

  /** Says what was expected and what was found at the failing path. */
  private static String bindError(JsonMappingException e, JsonNode doc) {
    JsonNode found = at(doc, e.getPath());
    Class<?> target = targetType(e);
    String expected = expected(target);
    if (found != null && found.isIntegralNumber() && !found.canConvertToInt()) {
      return "must be an integer between -2147483648 and 2147483647; got " + found.asText();
    }
    if (target == null
        && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("quantity")) {
      expected = expected(Quantity.class);
    }
    if (expected != null && found != null) {
      String got = describe(found);
      String hint = found.isNumber() && target == String.class ? " (quote it)" : "";
      return "must be " + expected + "; got " + got + hint;
    }
    String message = e.getOriginalMessage();
    int cut = message == null ? -1 : message.indexOf('\n');
    return "invalid value: "
        + SpecValidator.printable(cut < 0 ? String.valueOf(message) : message.substring(0, cut));
  }

  private static Class<?> targetType(JsonMappingException e) {
    if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
      return m.getTargetType();
    }
    return null;
  }

  private static boolean isInteger(Class<?> t) {
    return t == int.class || t == Integer.class || t == long.class || t == Long.class;
  }

  private static String expected(Class<?> t) {
    if (t == null) {
      return null;
    }
    if (isInteger(t)) {
      return "an integer";
    }
    if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
      return "a number";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "true or false";
    }
    if (t == String.class) {
      return "a string";
    }
    if (t == Quantity.class) {
      return "a quantity such as 4Gi";
    }
    if (t.isEnum()) {
      List<String> names =
          Arrays.stream(t.getEnumConstants())
              .map(c -> MAPPER.convertValue(c, String.class))
              .toList();
      return "one of " + String.join(", ", names);
    }
    if (t.isArray() || Collection.class.isAssignableFrom(t)) {
      return "a list";
    }
    return "a mapping";
  }

  /** The node a reference chain points at, or null. */
  private static JsonNode at(JsonNode doc, List<JsonMappingException.Reference> refs) {
    JsonNode node = doc;
    for (JsonMappingException.Reference ref : refs) {
      if (node == null) {
        return null;
      }
      if (ref.getFieldName() != null) {
        node = node.get(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        node = node.get(ref.getIndex());
      } else {
        return null;
      }
    }
    return node;
  }

  static String describe(JsonNode node) {
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isTextual()) {
      return "the string " + SpecValidator.q(node.asText());
    }
    if (node.isNumber() || node.isBoolean()) {
      return node.asText();
    }
    if (node.isNull()) {
      return "null";
    }
    return node.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  private static String show(JsonNode node) {
    return node.isTextual() ? SpecValidator.q(node.asText()) : describe(node);
  }

  /** "did you mean" for a near miss, e.g. replica for replicas. */
  private static String suggestion(String name, Collection<?> known) {
    if (known == null) {
      return "";
    }
    String best = null;
    int bestDistance = 3;
    for (Object k : known) {
      String candidate = String.valueOf(k);
      int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance && 2 * d < name.length()) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  /** Levenshtein distance, for short field names only. */
  private static int distance(String a, String b) {
    if (a.length() > 64 || b.length() > 64) {
      return Integer.MAX_VALUE;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String yamlError(JacksonException e) {
    JsonLocation where = e.getLocation();
    int line = where == null ? -1 : where.getLineNr();
    int column = where == null ? -1 : where.getColumnNr();
    String message = e.getOriginalMessage();
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblem() != null) {
      // SnakeYAML knows where the problem is, which may be after where its context starts.
      message = m.getContext() == null ? m.getProblem() : m.getContext() + ": " + m.getProblem();
      if (m.getProblemMark() != null) {
        line = m.getProblemMark().getLine() + 1;
        column = m.getProblemMark().getColumn() + 1;
      }
    }
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    // Messages can go on with a snippet of the file on further lines; keep the first.
    int cut = message.indexOf('\n');
    message = SpecValidator.printable((cut < 0 ? message : message.substring(0, cut)).trim());
    if (line > 0) {
      return "invalid YAML at line " + line + ", column " + column + ": " + message;
    }
    return "invalid YAML: " + message;
  }

  private static String tooLarge(long size) {
    return "too large: "
        + size
        + " bytes; manifests over "
        + MAX_BYTES
        + " bytes (1 MiB) are refused";
  }

  private static Result failed(String path, String message) {
    return new Result(null, List.of(new ValidationError(path, message)));
  }

  private static void add(List<ValidationError> errors, String prefix, String path, String msg) {
    errors.add(new ValidationError(prefixed(prefix, path), msg));
  }

  private static void addAll(
      List<ValidationError> errors, String prefix, List<ValidationError> own) {
    for (ValidationError e : own) {
      add(errors, prefix, e.path(), e.message());
    }
  }

  private static String prefixed(String prefix, String path) {
    if (prefix.isEmpty()) {
      return path;
    }
    return DOCUMENT.equals(path) ? prefix : prefix + "." + path;
  }

  private static YAMLMapper mapper() {
    LoaderOptions loader = new LoaderOptions();
    loader.setCodePointLimit(MAX_BYTES + 1);
    // Aliases can multiply a small file into a huge tree ("billion laughs"); manifests need few.
    loader.setMaxAliasesForCollections(20);
    loader.setNestingDepthLimit(64);
    loader.setAllowDuplicateKeys(false);
    YAMLFactory factory =
        YAMLFactory.builder()
            .loaderOptions(loader)
            // "key:" with nothing after it is null in YAML; a quoted "" stays an empty string.
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxStringLength(MAX_BYTES)
                    .build())
            .build();
    YAMLMapper mapper =
        YAMLMapper.builder(factory)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // As the API server drops explicit nulls before defaulting: null means "the default".
            .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
            .build();
    // The API server does not turn "3" into 3 or 3 into "3": neither do we.
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Float)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Enum)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    return mapper;
  }
}
