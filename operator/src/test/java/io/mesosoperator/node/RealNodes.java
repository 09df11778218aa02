package io.mesosoperator.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Host-side helpers for tests on local-provider machines: bounded commands, srvr, processes. */
final class RealNodes {
  private static final Pattern MODE = Pattern.compile("(?m)^Mode: (\\S+)");

  private RealNodes() {}

  /** Exit code and combined output. */
  record Result(int exit, String output) {}

  /**
   * Runs argv with a deadline. Output goes to a file, not a pipe, so a daemon the command starts
   * cannot keep us waiting for end of file.
   */
  static Result run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
    Path out = Files.createTempFile("mo-realnode-cmd-", ".out");
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new IOException(argv + " did not finish within " + timeout);
      }
      return new Result(p.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Runs argv and fails unless it exits 0. */
  static String check(List<String> argv) throws IOException, InterruptedException {
    Result r = run(argv, Duration.ofSeconds(60));
    if (r.exit() != 0) {
      throw new IOException(argv + " exited " + r.exit() + ": " + r.output());
    }
    return r.output();
  }

  /** ZooKeeper's srvr answer from address:port, or "" when it does not answer (yet). */
  static String srvr(String address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1000);
      s.setSoTimeout(2000);
      OutputStream o = s.getOutputStream();
      o.write("srvr".getBytes(StandardCharsets.US_ASCII));
      o.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The Mode: line of a srvr answer, or null. */
  static String mode(String srvr) {
    Matcher m = MODE.matcher(srvr);
    return m.find() ? m.group(1) : null;
  }

  /** Host PIDs of the processes in a machine's network namespace whose command line has text. */
  static List<Long> pidsInNetns(String netns, String text)
      throws IOException, InterruptedException {
    List<Long> pids = new ArrayList<>();
    for (String s : check(List.of("ip", "netns", "pids", netns)).split("\\s+")) {
      if (!s.matches("\\d{1,10}")) {
        continue;
      }
      try {
        String cmdline =
            new String(Files.readAllBytes(Path.of("/proc", s, "cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
        if (cmdline.contains(text) && alive(Long.parseLong(s))) {
          pids.add(Long.parseLong(s));
        }
      } catch (IOException gone) {
        // exited between the listing and the read
      }
    }
    return pids;
  }

  /** Alive and not a zombie. */
  static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether something answers with an SSH banner on address:22. */
  static boolean sshAnswers(String address) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, 22), 1000);
      s.setSoTimeout(2000);
      return new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII).equals("SSH-");
    } catch (IOException e) {
      return false;
    }
  }

  /** Sleeps between polls. */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
