package io.mesosoperator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachingMachineProviderTest {
  private final AtomicLong clock = new AtomicLong();
  private final AtomicInteger lists = new AtomicInteger();
  private final List<Machine> machines = new ArrayList<>();

  private final MachineProvider cloud =
      new MachineProvider() {
        @Override
        public void ensureNetwork(NetworkRequest request) {}

        @Override
        public List<Machine> list(String clusterUid) {
          lists.incrementAndGet();
          return List.copyOf(machines);
        }

        @Override
        public Machine create(MachineRequest r) {
          Machine m =
              new Machine(
                  "m" + machines.size(),
                  "uid",
                  r.node(),
                  r.role(),
                  Machine.State.RUNNING,
                  null,
                  null,
                  null,
                  null);
          machines.add(m);
          return m;
        }

        @Override
        public void destroy(String id) {
          machines.removeIf(m -> m.id().equals(id));
        }
      };

  private final CachingMachineProvider cached =
      new CachingMachineProvider(cloud, Duration.ofSeconds(2), clock::get);

  @Test
  void oneListingServesAPassUntilItExpires() throws Exception {
    for (int i = 0; i < 100; i++) {
      cached.list("uid");
    }
    assertThat(lists).hasValue(1);
    clock.addAndGet(Duration.ofSeconds(3).toNanos());
    cached.list("uid");
    assertThat(lists).hasValue(2);
  }

  @Test
  void aCreateOrDestroyIsSeenByTheNextListing() throws Exception {
    assertThat(cached.list("uid")).isEmpty();
    Machine m =
        cached.create(new MachineRequest("uid", "c", "n0", "agent", null, null, null, List.of()));
    assertThat(cached.list("uid")).containsExactly(m);
    cached.destroy(m.id());
    assertThat(cached.list("uid")).isEmpty();
    assertThat(lists).hasValue(3);
  }
}
