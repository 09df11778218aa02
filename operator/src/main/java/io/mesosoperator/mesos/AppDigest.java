package io.mesosoperator.mesos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mesosoperator.plan.Digests;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** The digest of a Marathon app definition: independent of key order and whitespace. */
public final class AppDigest {
  private AppDigest() {}

  /** {@code sha256:} + hex of {@link #canonical}. */
  public static String of(JsonNode app) {
    return "sha256:" + Digests.sha256(canonical(app));
  }

  /** Compact JSON with object keys sorted at every level; arrays keep their order. */
  public static String canonical(JsonNode app) {
    return Json.write(sorted(app));
  }

  private static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      List<String> names = new ArrayList<>();
      Iterator<String> it = n.fieldNames();
      it.forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      for (String name : names) {
        o.set(name, sorted(n.get(name)));
      }
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      n.forEach(e -> a.add(sorted(e)));
      return a;
    }
    return n;
  }
}
