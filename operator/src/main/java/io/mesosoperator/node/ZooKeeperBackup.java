package io.mesosoperator.node;

import java.io.IOException;
import java.time.Instant;

/**
 * Copies ZooKeeper's newest snapshot (and the logs after it) to a backup directory on a member. The
 * seam reconciler tests replace.
 */
public interface ZooKeeperBackup {

  /**
   * Where to log in.
   *
   * @param node node name
   * @param address address to connect to
   * @param port SSH port
   * @param login how to log in
   * @param hostKey pinned host key
   */
  record Target(String node, String address, int port, SshSessions.Login login, String hostKey) {}

  /**
   * A verified copy.
   *
   * @param path directory on the node
   * @param files files copied
   * @param bytes bytes copied
   */
  record Result(String path, int files, long bytes) {}

  /**
   * Takes one backup named after the cluster and the time.
   *
   * @throws IOException the node could not be reached or the copy failed (the message says why)
   */
  Result backup(Target target, String cluster, Instant now) throws IOException;
}
