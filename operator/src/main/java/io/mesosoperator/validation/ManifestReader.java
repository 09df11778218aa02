package io.mesosoperator.validation;

import io.mesosoperator.api.MesosCluster;
import java.nio.file.Path;
import java.util.List;

/** Reads MesosCluster manifests from YAML files, strictly. */
public final class ManifestReader {
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

  /** Parses and validates one file. */
  public static Result read(Path file) {
    throw new UnsupportedOperationException("not yet");
  }
}
