package io.mesosoperator.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The structural part of what the API server checks against our CRD's openAPIV3Schema before a
 * MesosCluster is stored: types, unknown fields (as with {@code fieldValidation=Strict}, kubectl's
 * default), required fields, enums, bounds, lengths and patterns, item and property counts. CEL
 * rules are not evaluated here (SpecValidator repeats them); the resource's group, version and kind
 * are checked as the API path would.
 */
final class CrdSchema {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final java.util.Set<String> OBJECT_META =
      java.util.Set.of(
          "name",
          "generateName",
          "namespace",
          "labels",
          "annotations",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "ownerReferences",
          "finalizers",
          "managedFields",
          "selfLink");
  private final JsonNode schema;
  private final String apiVersion;
  private final String kind;

  private CrdSchema(JsonNode crd) {
    JsonNode version = crd.path("spec").path("versions").get(0);
    this.schema = version.path("schema").path("openAPIV3Schema");
    this.apiVersion = crd.path("spec").path("group").asText() + "/" + version.path("name").asText();
    this.kind = crd.path("spec").path("names").path("kind").asText();
  }

  static CrdSchema load(Path crd) throws IOException {
    return new CrdSchema(YAML.readTree(crd.toFile()));
  }

  /**
   * A field path as the project writes it ({@code spec.roles[1].attributes[rack]}: properties after
   * dots, list indices and map keys in brackets), from a path in either notation the apiserver
   * uses: its schema validation writes a map key after a dot ({@code
   * spec.roles[1].attributes.rack}, kube-openapi's object validator), its CEL rules and other field
   * errors in brackets, like the project. Whether a dotted name is a property or a key is the
   * schema's to say: under an object with {@code additionalProperties} and no such property it is a
   * key; under a map of scalars the rest of a dotted path is the key, dots included. Paths this
   * schema does not describe ({@code metadata...}, unknown fields) stay as written.
   */
  String canonicalPath(String path) {
    StringBuilder out = new StringBuilder();
    JsonNode s = schema;
    int i = 0;
    boolean first = true;
    while (i < path.length()) {
      char c = path.charAt(i);
      String key;
      boolean bracket;
      if (c == '[') {
        int close = path.indexOf(']', i);
        if (close < 0) {
          out.append(path.substring(i));
          break;
        }
        key = path.substring(i + 1, close);
        bracket = true;
        i = close + 1;
      } else {
        int start = c == '.' ? i + 1 : i;
        if (c != '.' && !first) {
          out.append(path.substring(i));
          break;
        }
        int end = start;
        while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
          end++;
        }
        key = path.substring(start, end);
        bracket = false;
        if (isMap(s) && !s.path("properties").has(key) && isScalar(s.get("additionalProperties"))) {
          // a map of scalars: what follows is the key, whatever it holds
          out.append('[').append(path.substring(start)).append(']');
          break;
        }
        i = end;
      }
      first = false;
      if (s.path("properties").has(key) && !bracket) {
        out.append(out.length() == 0 ? "" : ".").append(key);
        s = s.path("properties").path(key);
      } else if (isMap(s)) {
        out.append('[').append(key).append(']');
        s = s.get("additionalProperties");
      } else if (bracket && "array".equals(s.path("type").asText())) {
        out.append('[').append(key).append(']');
        s = s.path("items");
      } else {
        out.append(bracket ? "[" + key + "]" : (out.length() == 0 ? "" : ".") + key);
        s = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
      }
    }
    return out.toString();
  }

  private static boolean isMap(JsonNode s) {
    return s.path("additionalProperties").isObject();
  }

  private static boolean isScalar(JsonNode s) {
    String type = s.path("type").asText();
    return !type.equals("object") && !type.equals("array");
  }

  private static final Pattern FIELD_PATH =
      Pattern.compile(
          "(?<![\\w.\\]\\[/-])(?:spec|metadata|status|apiVersion|kind)"
              + "(?:\\.[A-Za-z0-9_-]+|\\[[^\\]\\n]*\\])*");

  /**
   * The field paths an apiserver (or kubectl) message names, each as {@link #canonicalPath} writes
   * it, in order of appearance.
   */
  List<String> pathsIn(String message) {
    List<String> paths = new ArrayList<>();
    var m = FIELD_PATH.matcher(message);
    while (m.find()) {
      String p = canonicalPath(m.group());
      if (!paths.contains(p)) {
        paths.add(p);
      }
    }
    return paths;
  }

  /** One refusal: field path and why. */
  record Refusal(String path, String why) {}

  List<Refusal> check(JsonNode doc) {
    List<Refusal> out = new ArrayList<>();
    if (!doc.isObject()) {
      out.add(new Refusal("<document>", "not an object"));
      return out;
    }
    if (!apiVersion.equals(doc.path("apiVersion").asText())) {
      out.add(new Refusal("apiVersion", "not served: " + doc.path("apiVersion")));
    }
    if (!kind.equals(doc.path("kind").asText())) {
      out.add(new Refusal("kind", "not " + kind + ": " + doc.path("kind")));
    }
    Iterator<String> meta = doc.path("metadata").fieldNames();
    while (meta.hasNext()) {
      String m = meta.next();
      if (!OBJECT_META.contains(m)) {
        out.add(new Refusal("metadata." + m, "unknown field"));
      }
    }
    JsonNode name = doc.path("metadata").path("name");
    if (!name.isTextual() || name.asText().isEmpty()) {
      out.add(new Refusal("metadata.name", "required"));
    }
    Iterator<Map.Entry<String, JsonNode>> fields = doc.fields();
    while (fields.hasNext()) {
      var f = fields.next();
      switch (f.getKey()) {
        case "apiVersion", "kind", "metadata" -> {}
        default -> walk(schema.path("properties").path(f.getKey()), f.getValue(), f.getKey(), out);
      }
      if (!schema.path("properties").has(f.getKey())
          && !List.of("apiVersion", "kind", "metadata").contains(f.getKey())) {
        out.add(new Refusal(f.getKey(), "unknown field"));
      }
    }
    return out;
  }

  private void walk(JsonNode s, JsonNode v, String path, List<Refusal> out) {
    if (s.isMissingNode() || v.isNull()) {
      return;
    }
    if (s.path("x-kubernetes-int-or-string").asBoolean()) {
      if (!v.isTextual() && !v.isIntegralNumber()) {
        out.add(new Refusal(path, "must be an integer or a string"));
      }
      return;
    }
    String type = s.path("type").asText();
    switch (type) {
      case "object" -> {
        if (!v.isObject()) {
          out.add(new Refusal(path, "must be an object"));
          return;
        }
        if (s.has("maxProperties") && v.size() > s.get("maxProperties").asInt()) {
          out.add(new Refusal(path, "too many properties"));
        }
        for (JsonNode r : s.path("required")) {
          if (!v.has(r.asText()) || v.get(r.asText()).isNull()) {
            out.add(new Refusal(path + "." + r.asText(), "required"));
          }
        }
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean();
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
          var f = it.next();
          JsonNode property = s.path("properties").path(f.getKey());
          if (!property.isMissingNode()) {
            walk(property, f.getValue(), path + "." + f.getKey(), out);
          } else if (s.has("additionalProperties")) {
            walk(s.get("additionalProperties"), f.getValue(), path + "[" + f.getKey() + "]", out);
          } else if (!preserve) {
            out.add(new Refusal(path + "." + f.getKey(), "unknown field"));
          }
        }
      }
      case "array" -> {
        if (!v.isArray()) {
          out.add(new Refusal(path, "must be an array"));
          return;
        }
        if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
          out.add(new Refusal(path, "too many items"));
        }
        if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
          out.add(new Refusal(path, "too few items"));
        }
        for (int i = 0; i < v.size(); i++) {
          walk(s.path("items"), v.get(i), path + "[" + i + "]", out);
        }
      }
      case "string" -> {
        if (!v.isTextual()) {
          out.add(new Refusal(path, "must be a string"));
          return;
        }
        String t = v.asText();
        if (s.has("maxLength") && t.codePointCount(0, t.length()) > s.get("maxLength").asInt()) {
          out.add(new Refusal(path, "too long"));
        } else if (s.has("minLength") && t.length() < s.get("minLength").asInt()) {
          out.add(new Refusal(path, "too short"));
        } else if (s.has("pattern")
            && !Pattern.compile(s.get("pattern").asText()).matcher(t).find()) {
          out.add(new Refusal(path, "does not match " + s.get("pattern").asText()));
        }
        enumCheck(s, v, path, out);
      }
      case "integer", "number" -> {
        if (!(type.equals("integer") ? v.isIntegralNumber() : v.isNumber())
            || (type.equals("integer") && !v.canConvertToLong())) {
          out.add(new Refusal(path, "must be an " + type));
          return;
        }
        if (s.has("minimum") && v.decimalValue().compareTo(s.get("minimum").decimalValue()) < 0) {
          out.add(new Refusal(path, "below the minimum"));
        }
        if (s.has("maximum") && v.decimalValue().compareTo(s.get("maximum").decimalValue()) > 0) {
          out.add(new Refusal(path, "above the maximum"));
        }
      }
      case "boolean" -> {
        if (!v.isBoolean()) {
          out.add(new Refusal(path, "must be a boolean"));
        }
      }
      default -> {}
    }
  }

  private static void enumCheck(JsonNode s, JsonNode v, String path, List<Refusal> out) {
    if (!s.has("enum")) {
      return;
    }
    for (JsonNode e : s.get("enum")) {
      if (e.equals(v)) {
        return;
      }
    }
    out.add(new Refusal(path, "not one of " + s.get("enum")));
  }
}
