package io.mesosoperator.mesos;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One write the app plan calls for. */
public sealed interface AppAction {

  /** The absolute app id. */
  String id();

  /**
   * Create or replace the app: {@code PUT /v2/apps/{id}?partialUpdate=false}.
   *
   * @param id absolute app id
   * @param app the definition to send (its id absolute)
   * @param digest {@link AppDigest} of {@code app}
   * @param reason why: {@code Missing} (not in Marathon) or {@code Changed} (spec differs)
   */
  record Put(String id, ObjectNode app, String digest, String reason) implements AppAction {}

  /**
   * Remove an app the operator deployed and the spec no longer lists.
   *
   * @param id absolute app id
   */
  record Delete(String id) implements AppAction {}
}
