package io.mesosoperator.node;

import java.io.IOException;

/** One logged-in SSH connection to a node. */
public interface SshSession extends AutoCloseable {

  /** The host key fingerprint the node presented ({@code SHA256:...}). */
  String hostKey();

  /** The user this session is logged in as. */
  String user();

  /**
   * Runs a POSIX shell script as root (through {@code sudo -n} unless logged in as root). The
   * script goes on stdin, never on the command line.
   */
  Exec run(String script) throws IOException;

  @Override
  void close();

  /**
   * What a remote command returned.
   *
   * @param exitStatus exit status, -1 when the server sent none
   * @param stdout standard output
   * @param stderr standard error (tail)
   */
  record Exec(int exitStatus, String stdout, String stderr) {
    public boolean ok() {
      return exitStatus == 0;
    }
  }
}
