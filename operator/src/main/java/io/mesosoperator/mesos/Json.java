package io.mesosoperator.mesos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** The one JSON mapper of this package. */
final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(SerializationFeature.INDENT_OUTPUT).build();

  private Json() {}

  /** Parses a body; a body that is not JSON is an {@link IOException} (a broken answer). */
  static JsonNode read(String body) throws IOException {
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n == null || n.isMissingNode()) {
        throw new IOException("empty JSON answer");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new IOException("answer is not JSON: " + e.getOriginalMessage());
    }
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JsonNode always serialises", e);
    }
  }
}
