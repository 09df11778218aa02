package io.mesosoperator.api;

/**
 * The one quorum rule: a strict majority, the smallest count that is more than half. It is the
 * Mesos replicated log's {@code --quorum} and the number of ZooKeeper members that must be up: 1→1,
 * 3→2, 4→3, 5→3. Running more masters than the quorum allows corrupts the replicated log; an even
 * count adds no tolerance.
 */
public final class Quorum {
  private Quorum() {}

  /** The strict majority of {@code members} (0 members: 1, which no empty set reaches). */
  public static int majority(int members) {
    if (members < 0) {
      throw new IllegalArgumentException("a member count cannot be negative, got " + members);
    }
    return members / 2 + 1;
  }
}
