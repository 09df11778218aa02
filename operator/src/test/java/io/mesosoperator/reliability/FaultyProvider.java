package io.mesosoperator.reliability;

import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.NetworkRequest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fails calls of another provider: the first {@code failFirst} calls with a transient {@link
 * CloudException}, then, while {@link #chaos} is on, a random share of calls with a random kind of
 * error (transient, permanent, or a create that succeeded in the cloud but whose answer was lost).
 * Providers turn their libraries' runtime exceptions into CloudExceptions (CloudErrors), so only
 * those are thrown here.
 */
final class FaultyProvider implements MachineProvider {
  private final MachineProvider delegate;
  private final AtomicInteger failFirst;
  private final Random random;
  final AtomicInteger injected = new AtomicInteger();
  volatile boolean chaos;
  volatile double rate = 0.5;

  FaultyProvider(MachineProvider delegate, int failFirst, long seed) {
    this.delegate = delegate;
    this.failFirst = new AtomicInteger(failFirst);
    this.random = new Random(seed);
  }

  private void maybeFail(String call) throws CloudException {
    if (failFirst.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
      injected.incrementAndGet();
      throw new CloudException("injected: cloud unavailable during " + call, true);
    }
    if (!chaos) {
      return;
    }
    int dice;
    synchronized (random) {
      dice = random.nextDouble() < rate ? random.nextInt(3) : -1;
    }
    switch (dice) {
      case 0 -> {
        injected.incrementAndGet();
        throw new CloudException("injected: 503 during " + call, true);
      }
      case 1 -> {
        injected.incrementAndGet();
        throw new CloudException("injected: request limit exceeded during " + call, true);
      }
      case 2 -> {
        injected.incrementAndGet();
        throw new CloudException("injected: quota exceeded during " + call, false);
      }
      default -> {}
    }
  }

  @Override
  public void ensureNetwork(NetworkRequest request) throws CloudException {
    maybeFail("ensureNetwork");
    delegate.ensureNetwork(request);
  }

  @Override
  public List<Machine> list(String clusterUid) throws CloudException {
    maybeFail("list");
    return delegate.list(clusterUid);
  }

  @Override
  public Machine create(MachineRequest request) throws CloudException {
    maybeFail("create");
    Machine m = delegate.create(request);
    boolean lost;
    synchronized (random) {
      lost = chaos && random.nextDouble() < rate / 3;
    }
    if (lost) {
      // The machine exists, but the answer never came back: the operator must find it by tags.
      injected.incrementAndGet();
      throw new CloudException("injected: timeout after create", true);
    }
    return m;
  }

  @Override
  public void destroy(String machineId) throws CloudException {
    maybeFail("destroy");
    delegate.destroy(machineId);
  }
}
