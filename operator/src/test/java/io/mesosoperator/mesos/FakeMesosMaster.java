package io.mesosoperator.mesos;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * A stand-in for one Mesos master's HTTP endpoints, in test code only: /master/redirect (307 to the
 * leader, 503 without one), /metrics/snapshot, /master/state and /master/health (always 200, as the
 * real one: it proves nothing).
 */
final class FakeMesosMaster extends FakeHttp {
  volatile String self = "10.0.0.1:5050";
  volatile String leader = "10.0.0.1:5050";
  volatile boolean recovered = true;
  volatile int slavesActive = 3;

  FakeMesosMaster() throws IOException {
    super();
  }

  @Override
  void handle(HttpExchange ex, String method, String path, String query, String body)
      throws IOException {
    boolean elected = leader != null && leader.equals(self);
    switch (path) {
      case "/master/health" -> respond(ex, 200, null);
      case "/master/redirect" -> {
        if (leader == null) {
          respond(ex, 503, null);
        } else {
          ex.getResponseHeaders().set("Location", "//" + leader);
          respond(ex, 307, null);
        }
      }
      case "/metrics/snapshot" ->
          respond(
              ex,
              200,
              "{\"master/elected\":"
                  + (elected ? "1.0" : "0.0")
                  + ",\"registrar/log/recovered\":"
                  + (recovered ? "1.0" : "0.0")
                  + ",\"master/slaves_active\":"
                  + (elected ? slavesActive : 0)
                  + ".0,\"master/uptime_secs\":1234.5}");
      case "/master/state" ->
          respond(
              ex,
              200,
              "{\"version\":\"1.11.0\",\"pid\":\"master@"
                  + self
                  + "\",\"hostname\":\"master1\""
                  + (leader == null ? "" : ",\"leader\":\"master@" + leader + "\"")
                  + ",\"activated_slaves\":"
                  + (elected ? slavesActive : 0)
                  + ",\"deactivated_slaves\":0}");
      default -> respond(ex, 404, null);
    }
  }
}
