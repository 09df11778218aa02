package io.mesosoperator.mesos;

import java.util.List;

/**
 * An app as Marathon reports it in {@code GET /v2/apps}.
 *
 * @param id absolute app id
 * @param version Marathon's version of its definition
 * @param deployments ids of deployments that affect it now
 */
public record RemoteApp(String id, String version, List<String> deployments) {
  public RemoteApp {
    deployments = deployments == null ? List.of() : List.copyOf(deployments);
  }
}
