package io.mesosoperator.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mesosoperator.api.AppStatus;
import io.mesosoperator.mesos.MarathonApps.DeploymentState;
import io.mesosoperator.mesos.MarathonApps.Options;
import io.mesosoperator.mesos.MarathonApps.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MarathonApps against the in-process fake Marathon, over real HTTP on loopback. */
class MarathonAppsTest {
  FakeMarathon marathon;
  MarathonApps apps;
  final Options opts = new Options(false, false, Duration.ofSeconds(10));
  final Options prune = new Options(true, false, Duration.ofSeconds(10));

  @BeforeEach
  void start() throws IOException {
    marathon = new FakeMarathon();
    apps =
        new MarathonApps(
            new MarathonClient(
                new DirectHttpTransport(),
                marathon.url(),
                new MarathonClient.Settings(Duration.ofMillis(10))));
  }

  @AfterEach
  void stop() {
    marathon.close();
  }

  static ObjectNode app(String id, String cmd) {
    try {
      return (ObjectNode)
          Json.read(
              "{\"id\":\""
                  + id
                  + "\",\"cmd\":\""
                  + cmd
                  + "\",\"cpus\":0.1,\"mem\":32,\"instances\":1}");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void createsOnceWithOnePutAndFollowsTheDeployment() throws IOException {
    Outcome out = apps.reconcile(List.of(app("/hello", "echo hi")), Map.of(), opts);

    assertThat(marathon.puts()).isEqualTo(1);
    assertThat(marathon.requests)
        .contains("PUT /v2/apps/hello?partialUpdate=false")
        .noneMatch(r -> r.startsWith("POST") || r.contains("force"));
    assertThat(out.writes()).isEqualTo(1);
    AppStatus s = out.apps().get(0).toStatus();
    assertThat(s.getId()).isEqualTo("/hello");
    assertThat(s.getDeployment()).isEqualTo("Deployed");
    assertThat(s.getVersion()).isEqualTo(marathon.versions.get("/hello"));
    assertThat(s.getDigest()).isEqualTo(AppDigest.of(app("/hello", "echo hi")));
    // followed: /v2/deployments read until the deployment was gone
    assertThat(marathon.requests.stream().filter(r -> r.equals("GET /v2/deployments")).count())
        .isGreaterThanOrEqualTo(2);
    assertThat(marathon.deployments).isEmpty();
    assertThat(Json.write(marathon.apps.get("/hello"))).contains("echo hi");
  }

  @Test
  void sameSpecAgainWritesNothingAndReadsOnlyTwice() throws IOException {
    Outcome first = apps.reconcile(List.of(app("/hello", "echo hi")), Map.of(), opts);
    marathon.requests.clear();

    Outcome second = apps.reconcile(List.of(app("/hello", "echo hi")), first.digests(), opts);

    assertThat(marathon.writes()).isZero();
    assertThat(marathon.requests).containsExactly("GET /v2/apps", "GET /v2/deployments");
    assertThat(second.writes()).isZero();
    assertThat(second.apps().get(0).deployment()).isEqualTo(DeploymentState.DEPLOYED);
    assertThat(second.apps().get(0).version()).isEqualTo(first.apps().get(0).version());
    assertThat(second.digests()).isEqualTo(first.digests());
  }

  @Test
  void changedCommandIsExactlyOnePut() throws IOException {
    Outcome first =
        apps.reconcile(List.of(app("/hello", "echo hi"), app("/other", "sleep 1")), Map.of(), opts);
    marathon.requests.clear();

    Outcome second =
        apps.reconcile(
            List.of(app("/hello", "echo changed"), app("/other", "sleep 1")),
            first.digests(),
            opts);

    assertThat(marathon.writes()).isEqualTo(1);
    assertThat(marathon.requests).contains("PUT /v2/apps/hello?partialUpdate=false");
    assertThat(Json.write(marathon.apps.get("/hello"))).contains("echo changed");
    assertThat(second.digests().get("/hello")).isNotEqualTo(first.digests().get("/hello"));
    assertThat(second.digests().get("/other")).isEqualTo(first.digests().get("/other"));
  }

  @Test
  void lockedAppIsReportedDeployingAndRetriedLaterWithoutForce() throws IOException {
    Outcome first = apps.reconcile(List.of(app("/hello", "echo hi")), Map.of(), opts);
    String lock = marathon.lock("/hello");

    Outcome blocked = apps.reconcile(List.of(app("/hello", "echo v2")), first.digests(), opts);

    assertThat(blocked.apps().get(0).deployment()).isEqualTo(DeploymentState.DEPLOYING);
    assertThat(blocked.apps().get(0).message()).contains(lock);
    // the old digest is kept, so the next reconcile tries again
    assertThat(blocked.digests()).isEqualTo(first.digests());
    assertThat(Json.write(marathon.apps.get("/hello"))).contains("echo hi");
    assertThat(marathon.requests).noneMatch(r -> r.contains("force"));
    // one PUT per reconcile, no loop
    assertThat(marathon.puts()).isEqualTo(2);

    marathon.release(lock);
    Outcome later = apps.reconcile(List.of(app("/hello", "echo v2")), blocked.digests(), opts);

    assertThat(later.apps().get(0).deployment()).isEqualTo(DeploymentState.DEPLOYED);
    assertThat(Json.write(marathon.apps.get("/hello"))).contains("echo v2");
    assertThat(later.digests().get("/hello")).isEqualTo(AppDigest.of(app("/hello", "echo v2")));
  }

  @Test
  void forceIsSentOnlyWhenAsked() throws IOException {
    Outcome first = apps.reconcile(List.of(app("/hello", "echo hi")), Map.of(), opts);
    marathon.lock("/hello");

    Outcome forced =
        apps.reconcile(
            List.of(app("/hello", "echo v2")),
            first.digests(),
            new Options(false, true, Duration.ofMillis(50)));

    assertThat(marathon.requests).contains("PUT /v2/apps/hello?partialUpdate=false&force=true");
    assertThat(forced.digests().get("/hello")).isEqualTo(AppDigest.of(app("/hello", "echo v2")));
  }

  @Test
  void deploymentStillRunningAtTheDeadlineIsDeployingThenDeployedByObservation()
      throws IOException {
    marathon.pollsPerDeployment = 1000;
    long start = System.nanoTime();
    Outcome out =
        apps.reconcile(
            List.of(app("/slow", "sleep 1")),
            Map.of(),
            new Options(false, false, Duration.ofMillis(200)));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(out.apps().get(0).deployment()).isEqualTo(DeploymentState.DEPLOYING);
    assertThat(out.digests()).containsKey("/slow");

    marathon.deployments.clear();
    marathon.requests.clear();
    Outcome next = apps.reconcile(List.of(app("/slow", "sleep 1")), out.digests(), opts);
    assertThat(next.apps().get(0).deployment()).isEqualTo(DeploymentState.DEPLOYED);
    assertThat(marathon.writes()).isZero();
  }

  @Test
  void pruneOffKeepsRemovedAppsPruneOnDeletesThem() throws IOException {
    Outcome first =
        apps.reconcile(List.of(app("/hello", "echo hi"), app("/gone", "sleep 1")), Map.of(), opts);

    Outcome kept = apps.reconcile(List.of(app("/hello", "echo hi")), first.digests(), opts);
    assertThat(marathon.deletes()).isZero();
    assertThat(marathon.apps).containsKey("/gone");
    // still remembered, so turning prune on later can remove it
    assertThat(kept.digests()).containsKey("/gone");

    Outcome pruned = apps.reconcile(List.of(app("/hello", "echo hi")), kept.digests(), prune);
    assertThat(marathon.requests).contains("DELETE /v2/apps/gone");
    assertThat(marathon.deletes()).isEqualTo(1);
    assertThat(marathon.apps).doesNotContainKey("/gone").containsKey("/hello");
    assertThat(pruned.deleted()).containsExactly("/gone");
    assertThat(pruned.digests()).containsOnlyKeys("/hello");
  }

  @Test
  void appsTheOperatorNeverDeployedAreNeverDeleted() throws IOException {
    marathon.seed("/users-own", "{\"id\":\"/users-own\",\"cmd\":\"sleep 100\"}");

    Outcome out = apps.reconcile(List.of(app("/hello", "echo hi")), Map.of(), prune);
    apps.reconcile(List.of(), out.digests(), prune);

    assertThat(marathon.apps).containsKey("/users-own");
    assertThat(marathon.requests).noneMatch(r -> r.contains("users-own"));
    assertThat(marathon.apps).doesNotContainKey("/hello");
  }

  @Test
  void appDeletedInMarathonIsCreatedAgain() throws IOException {
    Outcome first = apps.reconcile(List.of(app("/hello", "echo hi")), Map.of(), opts);
    marathon.apps.remove("/hello");

    apps.reconcile(List.of(app("/hello", "echo hi")), first.digests(), opts);

    assertThat(marathon.puts()).isEqualTo(2);
    assertThat(marathon.apps).containsKey("/hello");
  }

  @Test
  void refusedAppIsFailedAndKeepsNoDigest() throws IOException {
    ObjectNode bad = app("/bad", "x");
    bad.put("cpus", 0);

    Outcome out = apps.reconcile(List.of(bad, app("/good", "y")), Map.of(), opts);

    assertThat(out.apps().get(0).deployment()).isEqualTo(DeploymentState.FAILED);
    assertThat(out.apps().get(0).message()).contains("422");
    assertThat(out.apps().get(0).digest()).isNull();
    assertThat(out.apps().get(1).deployment()).isEqualTo(DeploymentState.DEPLOYED);
  }

  @Test
  void relativeIdIsSentAbsolute() throws IOException {
    apps.reconcile(List.of(app("group/web", "echo hi")), Map.of(), opts);

    assertThat(marathon.requests).contains("PUT /v2/apps/group/web?partialUpdate=false");
    assertThat(marathon.apps.get("/group/web").get("id").asText()).isEqualTo("/group/web");
  }

  @Test
  void unreachableMarathonThrowsBeforeAnyWrite() {
    marathon.close();
    assertThatThrownBy(() -> apps.reconcile(List.of(app("/hello", "x")), Map.of(), opts))
        .isInstanceOf(IOException.class);
  }

  @Test
  void invalidIdIsRefusedBeforeAnyRequest() {
    MarathonClient client = new MarathonClient(new DirectHttpTransport(), marathon.url());
    ObjectNode hostile = app("/ok", "x");
    hostile.put("id", "/../v2/leader");

    assertThatThrownBy(() -> client.put(hostile, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.delete("/a b", false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(marathon.requests).isEmpty();
  }
}
