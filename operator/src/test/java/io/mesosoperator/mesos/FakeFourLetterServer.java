package io.mesosoperator.mesos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a ZooKeeper member's four-letter-word port, in test code only: reads four bytes,
 * writes {@link #answer}, closes the connection (as ZooKeeper does).
 */
final class FakeFourLetterServer implements AutoCloseable {
  volatile String answer = "";
  volatile boolean silent;
  final List<String> words = new CopyOnWriteArrayList<>();
  private final ServerSocket socket;
  private final Thread thread;

  FakeFourLetterServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "fake-zk-4lw");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        byte[] word = in.readNBytes(4);
        words.add(new String(word, StandardCharsets.US_ASCII));
        if (silent) {
          Thread.sleep(1500);
          continue;
        }
        OutputStream out = s.getOutputStream();
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        // closed, or a client that went away
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
    thread.interrupt();
  }
}
