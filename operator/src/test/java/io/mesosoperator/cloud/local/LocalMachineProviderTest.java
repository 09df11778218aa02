package io.mesosoperator.cloud.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.MachineRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the provider decides without touching the host. */
class LocalMachineProviderTest {

  @TempDir Path state;

  private LocalMachineProvider provider(int uid) {
    return new LocalMachineProvider("motest0", "10.213.240.0/24", state, null, null, () -> uid);
  }

  private static MachineRequest request(String node) {
    return new MachineRequest(
        "uid-1", "demo", node, "masters", RoleType.MASTER, null, null, List.of());
  }

  /** A machine's state as an interrupted create leaves it: phase creating, no init yet. */
  private void halfMade(String id, long creatorPid, String creatorStart) throws Exception {
    Path dir = java.nio.file.Files.createDirectories(state.resolve(id));
    java.nio.file.Files.writeString(
        dir.resolve("machine.properties"),
        "id="
            + id
            + "\nclusterUid=uid-1\nnode=n-"
            + id
            + "\nrole=masters\naddress=10.213.240.9\nprefix=24\nphase=creating\n"
            + "creatorPid="
            + creatorPid
            + "\ncreatorStart="
            + creatorStart
            + "\n");
  }

  @Test
  void aMachineWhoseCreatingProcessDiedIsBrokenNotPendingForEver() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    String goneStart = gone.info().startInstant().map(Object::toString).orElse("");
    gone.waitFor();
    ProcessHandle self = ProcessHandle.current();
    String selfStart = self.info().startInstant().orElseThrow().toString();
    halfMade("lm-0000000a", gone.pid(), goneStart);
    halfMade("lm-0000000b", self.pid(), selfStart);
    // The same PID, reused by another process since: its start time differs.
    halfMade("lm-0000000c", self.pid(), "2000-01-01T00:00:00Z");

    assertThat(provider(0).list("uid-1"))
        .extracting(m -> m.id() + "=" + m.state())
        .containsExactlyInAnyOrder("lm-0000000a=ERROR", "lm-0000000b=PENDING", "lm-0000000c=ERROR");
  }

  @Test
  void everyCallFailsClearlyAndPermanentlyWithoutRoot() {
    LocalMachineProvider p = provider(1000);
    for (ThrowingCall call :
        List.<ThrowingCall>of(
            () -> p.list("uid-1"),
            () -> p.create(request("m0")),
            () -> p.destroy("lm-00000000"),
            () -> p.ensureNetwork(null),
            () -> p.releaseNetwork("uid-1"))) {
      assertThatThrownBy(call::run)
          .isInstanceOf(CloudException.class)
          .hasMessage(
              "the local provider needs root (network namespaces); run as root or use another"
                  + " provider")
          .matches(e -> !((CloudException) e).isTransient());
    }
  }

  @Test
  void unsafeNamesAreRejectedBeforeAnythingRuns() {
    LocalMachineProvider p = provider(0);
    assertThatThrownBy(() -> p.create(request("m0; reboot")))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("node name");
    assertThatThrownBy(() -> p.create(request("-n")))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("node name");
    assertThatThrownBy(() -> p.destroy("../../etc"))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("machine id");
    assertThatThrownBy(() -> new LocalMachineProvider("br0 up", null, state, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new LocalMachineProvider(null, null, state, "ssh-ed25519 AAAA\nevil", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void listOfAnEmptyStateDirIsEmptyAndBridgeNamesFollowTheRange() throws Exception {
    assertThat(provider(0).list("uid-1")).isEmpty();
    assertThat(LocalMachineProvider.derivedBridge(Cidr.parse("10.213.0.0/24")))
        .isEqualTo("mob0ad5000024")
        .hasSizeLessThanOrEqualTo(15);
    assertThat(new LocalMachineProvider(null, "10.213.1.0/24", state, null, null).bridge())
        .isNotEqualTo(new LocalMachineProvider(null, "10.213.0.0/24", state, null, null).bridge());
    assertThat(LocalMachineProvider.hostVeth("lm-0123abcd")).isEqualTo("lmh0123abcd");
  }

  @Test
  void readsTheEffectiveUidOfThisProcess() {
    assertThat(LocalMachineProvider.readEuid()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void networkRequestForAnotherRangeIsRefused() {
    LocalMachineProvider p = provider(0);
    assertThatThrownBy(
            () ->
                p.ensureNetwork(
                    new io.mesosoperator.cloud.NetworkRequest(
                        "uid-1", "demo", null, "10.9.0.0/24", java.util.Map.of(), List.of())))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("10.213.240.0/24")
        .hasMessageContaining("10.9.0.0/24");
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }
}
