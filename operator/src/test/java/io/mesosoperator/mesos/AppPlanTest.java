package io.mesosoperator.mesos;

import static io.mesosoperator.mesos.MarathonAppsTest.app;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppPlanTest {
  static RemoteApp remote(String id) {
    return new RemoteApp(id, "2024-01-01T00:00:00.000Z", List.of());
  }

  @Test
  void newAppIsPut() {
    List<AppAction> actions = AppPlan.plan(List.of(app("/a", "x")), Map.of(), List.of(), false);

    assertThat(actions).hasSize(1);
    AppAction.Put put = (AppAction.Put) actions.get(0);
    assertThat(put.id()).isEqualTo("/a");
    assertThat(put.reason()).isEqualTo("Missing");
    assertThat(put.digest()).isEqualTo(AppDigest.of(app("/a", "x")));
  }

  @Test
  void unchangedAppIsNothing() {
    String d = AppDigest.of(app("/a", "x"));
    assertThat(AppPlan.plan(List.of(app("/a", "x")), Map.of("/a", d), List.of(remote("/a")), true))
        .isEmpty();
  }

  @Test
  void relativeIdsInSpecAndStatusMatchAbsoluteOnes() {
    ObjectNode relative = app("a", "x");
    String d = AppDigest.of(AppPlan.definition(relative));
    assertThat(AppPlan.plan(List.of(relative), Map.of("a", d), List.of(remote("/a")), true))
        .isEmpty();
  }

  @Test
  void changedDigestIsPut() {
    List<AppAction> actions =
        AppPlan.plan(
            List.of(app("/a", "y")),
            Map.of("/a", AppDigest.of(app("/a", "x"))),
            List.of(remote("/a")),
            false);
    assertThat(actions).singleElement().isInstanceOf(AppAction.Put.class);
    assertThat(((AppAction.Put) actions.get(0)).reason()).isEqualTo("Changed");
  }

  @Test
  void appPresentButNeverRecordedIsPutOnceToTakeItOver() {
    // Marathon already has it (created by hand): the operator replaces it with the spec once.
    assertThat(AppPlan.plan(List.of(app("/a", "x")), Map.of(), List.of(remote("/a")), false))
        .singleElement()
        .isInstanceOf(AppAction.Put.class);
  }

  @Test
  void pruneDeletesOnlyRecordedAppsStillPresent() {
    List<AppAction> actions =
        AppPlan.plan(
            List.of(),
            Map.of("/mine", "sha256:1", "/mine-gone", "sha256:2"),
            List.of(remote("/mine"), remote("/theirs")),
            true);
    assertThat(actions).containsExactly(new AppAction.Delete("/mine"));
  }

  @Test
  void noPruneNoDelete() {
    assertThat(
            AppPlan.plan(List.of(), Map.of("/mine", "sha256:1"), List.of(remote("/mine")), false))
        .isEmpty();
  }

  @Test
  void putsInSpecOrderThenDeletes() {
    List<AppAction> actions =
        AppPlan.plan(
            List.of(app("/b", "x"), app("/a", "x")),
            Map.of("/z", "sha256:1", "/y", "sha256:1"),
            List.of(remote("/z"), remote("/y")),
            true);
    assertThat(actions).extracting(AppAction::id).containsExactly("/b", "/a", "/y", "/z");
  }

  @Test
  void duplicateIdsAreRefused() {
    assertThatThrownBy(
            () -> AppPlan.plan(List.of(app("/a", "x"), app("a", "y")), Map.of(), List.of(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate");
  }

  @Test
  void digestIgnoresKeyOrderAndWhitespaceButNotValues() throws IOException {
    String a =
        AppDigest.of(Json.read("{\"id\":\"/a\",\"env\":{\"X\":\"1\",\"Y\":\"2\"},\"mem\":32}"));
    String b =
        AppDigest.of(
            Json.read("{ \"mem\": 32, \"env\": {\"Y\":\"2\", \"X\":\"1\"}, \"id\": \"/a\" }"));
    String c =
        AppDigest.of(Json.read("{\"id\":\"/a\",\"env\":{\"X\":\"1\",\"Y\":\"3\"},\"mem\":32}"));
    assertThat(a).isEqualTo(b).startsWith("sha256:").isNotEqualTo(c);
    assertThat(AppDigest.canonical(Json.read("{\"b\":[{\"d\":1,\"c\":2}],\"a\":null}")))
        .isEqualTo("{\"a\":null,\"b\":[{\"c\":2,\"d\":1}]}");
  }

  @Test
  void planDoesNotModifyTheSpec() {
    ObjectNode spec = app("a", "x");
    AppPlan.plan(List.of(spec), Map.of(), List.of(), false);
    assertThat(spec.get("id").asText()).isEqualTo("a");
  }

  @Test
  void appIds() {
    assertThat(AppIds.valid("/a")).isTrue();
    assertThat(AppIds.valid("group/sub-app/x1")).isTrue();
    assertThat(AppIds.valid("/")).isFalse();
    assertThat(AppIds.valid("/A")).isFalse();
    assertThat(AppIds.valid("/a//b")).isFalse();
    assertThat(AppIds.valid("/a/../b")).isFalse();
    assertThat(AppIds.valid("/-a")).isFalse();
    assertThat(AppIds.valid("/a?x=1")).isFalse();
    assertThat(AppIds.valid("/a%2f")).isFalse();
    assertThat(AppIds.valid("/" + "a".repeat(1100))).isFalse();
    assertThat(AppIds.path("group/web")).isEqualTo("/v2/apps/group/web");
    assertThatThrownBy(() -> AppIds.path("/a;rm")).isInstanceOf(IllegalArgumentException.class);
  }
}
