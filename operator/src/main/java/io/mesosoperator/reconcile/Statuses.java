package io.mesosoperator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Deep copies and comparison of status objects, so status is written only when it changed. */
final class Statuses {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Statuses() {}

  static <T> T copy(T status, Class<T> type) {
    return status == null ? null : MAPPER.convertValue(status, type);
  }

  static boolean same(Object a, Object b) {
    return MAPPER.valueToTree(a).equals(MAPPER.valueToTree(b));
  }
}
