package io.mesosoperator.standin;

/** A flag file is missing or malformed: the stand-in refuses to start, as the real daemon does. */
public final class StandInConfigException extends Exception {
  public StandInConfigException(String message) {
    super(message);
  }
}
