package io.mesosoperator.cloud;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;
import org.jclouds.compute.RunNodesException;
import org.jclouds.http.HttpResponseException;
import org.jclouds.rest.AuthorizationException;
import org.jclouds.rest.InsufficientResourcesException;
import org.jclouds.rest.RateLimitExceededException;

/**
 * Turns jclouds failures into {@link CloudException}s: transient for timeouts, I/O, HTTP 5xx and
 * 429 (retrying may help), permanent for authorization (401/403), bad requests and everything else.
 * Messages name the action, the exception type and the HTTP status only, never an exception's own
 * message (those may quote request URLs), and any secret passed in is masked.
 */
public final class CloudErrors {

  private CloudErrors() {}

  /**
   * Wraps a failure of {@code action}.
   *
   * @param action what was being done, e.g. "create machine node-0"
   * @param failure what jclouds threw
   * @param secrets strings that must not appear in the message or the attached cause (identity,
   *     credential); nulls ignored
   */
  public static CloudException wrap(String action, Throwable failure, String... secrets) {
    Throwable cause = rootOfInterest(failure);
    StringBuilder message = new StringBuilder(action).append(" failed: ");
    message.append(cause.getClass().getSimpleName());
    Integer status = httpStatus(failure);
    if (status != null) {
      message.append(" (HTTP ").append(status).append(')');
    }
    String text = mask(message.toString(), secrets);
    // Keep the original chain for debugging unless some message in it carries a secret.
    Throwable attached = chainMentions(failure, secrets) ? null : failure;
    return new CloudException(text, isTransient(failure), attached);
  }

  /** True when retrying the same call later may succeed. */
  public static boolean isTransient(Throwable failure) {
    for (Throwable t : chain(failure)) {
      if (t instanceof AuthorizationException) {
        return false;
      }
      if (t instanceof RateLimitExceededException) {
        return true;
      }
      if (t instanceof HttpResponseException h && h.getResponse() != null) {
        int code = h.getResponse().getStatusCode();
        if (code > 0) {
          return code == 429 || code == 408 || code >= 500;
        }
      }
      if (t instanceof RunNodesException r) {
        // The first node or execution error decides.
        List<Throwable> errors = new ArrayList<>(r.getNodeErrors().values());
        errors.addAll(r.getExecutionErrors().values());
        if (!errors.isEmpty()) {
          return isTransient(errors.get(0));
        }
      }
      if (t instanceof InsufficientResourcesException
          || t instanceof IllegalArgumentException
          || t instanceof NoSuchElementException) {
        return false;
      }
    }
    for (Throwable t : chain(failure)) {
      if (t instanceof TimeoutException
          || t instanceof SocketTimeoutException
          || t instanceof IOException
          || t instanceof com.google.common.util.concurrent.UncheckedTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The HTTP status of the first HTTP failure in the chain, or null. */
  static Integer httpStatus(Throwable failure) {
    for (Throwable t : chain(failure)) {
      if (t instanceof HttpResponseException h
          && h.getResponse() != null
          && h.getResponse().getStatusCode() > 0) {
        return h.getResponse().getStatusCode();
      }
    }
    return null;
  }

  private static Throwable rootOfInterest(Throwable failure) {
    for (Throwable t : chain(failure)) {
      if (t instanceof HttpResponseException
          || t instanceof AuthorizationException
          || t instanceof RunNodesException
          || t instanceof TimeoutException
          || t instanceof IOException) {
        return t;
      }
    }
    return failure;
  }

  private static boolean chainMentions(Throwable failure, String... secrets) {
    for (Throwable t : chain(failure)) {
      String m = t.getMessage();
      if (m != null && !mask(m, secrets).equals(m)) {
        return true;
      }
      if (t instanceof HttpResponseException h
          && h.getContent() != null
          && !mask(h.getContent(), secrets).equals(h.getContent())) {
        return true;
      }
    }
    return false;
  }

  static String mask(String text, String... secrets) {
    String out = text;
    if (secrets != null) {
      for (String s : secrets) {
        if (s != null && !s.isEmpty()) {
          out = out.replace(s, "***");
        }
      }
    }
    return out;
  }

  private static List<Throwable> chain(Throwable failure) {
    List<Throwable> out = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
      out.add(t);
    }
    return out;
  }
}
