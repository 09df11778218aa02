package io.mesosoperator.mesos;

import io.mesosoperator.node.Shell;
import io.mesosoperator.node.SshSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Asks a ZooKeeper member a four-letter word ({@code srvr} or {@code mntr}) and parses its mode.
 * Either over a socket from the operator ({@link #direct}) or from a node through its SSH session
 * ({@link #overSsh}), with {@code nc} when installed, else bash's {@code /dev/tcp}.
 */
public interface ZooKeeperProbe {

  /** The four-letter words this probe sends: both are read-only. */
  enum Word {
    SRVR("srvr"),
    MNTR("mntr");

    private final String text;

    Word(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** ZooKeeper answers are small; more than this is not a 4lw answer. */
  int MAX_ANSWER = 64 * 1024;

  /** The raw answer. */
  String ask(String host, int port, Word word) throws IOException;

  /** The member's mode; never throws: no answer is {@link ZkMode.State#UNREACHABLE}. */
  default ZkMode mode(String host, int port) {
    try {
      return ZkMode.parse(ask(host, port, Word.SRVR));
    } catch (IOException e) {
      return ZkMode.unreachable(host + ":" + port + ": " + e.getMessage());
    }
  }

  /** Over a TCP socket from this process. */
  public static ZooKeeperProbe direct(Duration timeout) {
    return (host, port, word) -> {
      try (Socket s = new Socket()) {
        int ms = (int) Math.max(1, timeout.toMillis());
        s.connect(new InetSocketAddress(host, port), ms);
        s.setSoTimeout(ms);
        s.getOutputStream().write(word.text().getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        // The server closes the connection after its answer.
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          if (out.size() > MAX_ANSWER) {
            throw new IOException("answer longer than " + MAX_ANSWER + " bytes");
          }
        }
        return out.toString(StandardCharsets.UTF_8);
      }
    };
  }

  /** From the node behind {@code session}: {@code host} is as seen from that node. */
  public static ZooKeeperProbe overSsh(SshSession session, Duration timeout) {
    return (host, port, word) -> {
      SshSession.Exec exec = session.run(script(host, port, word, timeout));
      if (!exec.ok()) {
        throw new IOException(
            "no answer from " + host + ":" + port + " (exit " + exec.exitStatus() + ")");
      }
      return exec.stdout();
    };
  }

  /** The remote script. Pure; package-level for tests. */
  static String script(String host, int port, Word word, Duration timeout) {
    long seconds = Math.max(1, timeout.toSeconds());
    String w = Shell.quote(word.text());
    String target = Shell.words(host, port);
    return "if command -v nc >/dev/null 2>&1; then\n"
        + "  printf '%s' "
        + w
        + " | timeout "
        + seconds
        + " nc -w "
        + seconds
        + " "
        + target
        + "\nelse\n"
        + "  printf '%s' "
        + w
        + " | timeout "
        + seconds
        + " bash -c "
        + Shell.quote("exec 3<>\"/dev/tcp/$1/$2\" || exit 7; cat >&3; cat <&3")
        + " mo-zk "
        + target
        + "\nfi\n";
  }
}
