package io.mesosoperator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** A status that carries Kubernetes conditions (both resources' statuses do). */
public interface WithConditions {
  List<Condition> getConditions();

  void setConditions(List<Condition> conditions);
}
