package io.mesosoperator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;
import org.jclouds.http.HttpCommand;
import org.jclouds.http.HttpRequest;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;
import org.jclouds.rest.AuthorizationException;
import org.jclouds.rest.InsufficientResourcesException;
import org.junit.jupiter.api.Test;

class CloudErrorsTest {

  private static final String SECRET = "s3cr3t-Credential";

  static HttpResponseException http(int status) {
    HttpRequest req =
        HttpRequest.builder()
            .method("GET")
            .endpoint(URI.create("https://cloud.invalid/v2/droplets?token=" + SECRET))
            .build();
    HttpResponse resp = HttpResponse.builder().statusCode(status).message("status").build();
    return new HttpResponseException(new HttpCommand(req), resp);
  }

  @Test
  void serverErrorsRateLimitsTimeoutsAndIoAreTransient() {
    assertThat(CloudErrors.isTransient(http(500))).isTrue();
    assertThat(CloudErrors.isTransient(http(503))).isTrue();
    assertThat(CloudErrors.isTransient(http(429))).isTrue();
    assertThat(CloudErrors.isTransient(new RuntimeException(new TimeoutException()))).isTrue();
    assertThat(CloudErrors.isTransient(new RuntimeException(new SocketTimeoutException())))
        .isTrue();
    assertThat(CloudErrors.isTransient(new IllegalStateException(new IOException("reset"))))
        .isTrue();
  }

  @Test
  void authorizationAndBadRequestsArePermanent() {
    assertThat(CloudErrors.isTransient(http(401))).isFalse();
    assertThat(CloudErrors.isTransient(http(403))).isFalse();
    assertThat(CloudErrors.isTransient(http(400))).isFalse();
    assertThat(CloudErrors.isTransient(http(404))).isFalse();
    assertThat(CloudErrors.isTransient(new AuthorizationException("denied"))).isFalse();
    // jclouds wraps the HTTP 401 in an AuthorizationException.
    assertThat(CloudErrors.isTransient(new AuthorizationException(http(401)))).isFalse();
    assertThat(CloudErrors.isTransient(new IllegalArgumentException("bad image"))).isFalse();
    assertThat(CloudErrors.isTransient(new NoSuchElementException("no hardware"))).isFalse();
    assertThat(CloudErrors.isTransient(new InsufficientResourcesException("quota"))).isFalse();
    assertThat(CloudErrors.isTransient(new RuntimeException("unknown"))).isFalse();
  }

  @Test
  void wrapNamesActionTypeAndStatusButNoSecret() {
    CloudException e = CloudErrors.wrap("list machines", http(503), SECRET);
    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage())
        .isEqualTo("list machines failed: HttpResponseException (HTTP 503)")
        .doesNotContain(SECRET);
    // The original message quotes the URL with the secret: the cause is dropped.
    assertThat(e.getCause()).isNull();

    CloudException auth =
        CloudErrors.wrap("connect to aws-ec2", new AuthorizationException(http(401)), SECRET);
    assertThat(auth.isTransient()).isFalse();
    assertThat(auth.getMessage()).contains("HTTP 401").doesNotContain(SECRET);
  }

  @Test
  void wrapKeepsACauseThatCarriesNoSecretAndMasksSecretsInTheAction() {
    RuntimeException plain = new RuntimeException(new SocketTimeoutException("read timed out"));
    CloudException e = CloudErrors.wrap("destroy machine " + SECRET, plain, SECRET);
    assertThat(e.getCause()).isSameAs(plain);
    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage())
        .isEqualTo("destroy machine *** failed: SocketTimeoutException")
        .doesNotContain(SECRET);
  }
}
