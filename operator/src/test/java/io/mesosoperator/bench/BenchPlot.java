package io.mesosoperator.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Converge and steady-pass time against cluster size, from one run's results, as a PNG (plain Java
 * 2D, headless). Both axes are logarithmic: the local shapes (4 to 12 nodes) and the simulated 1003
 * sit on one chart. Local points are circles, simulated ones squares.
 */
final class BenchPlot {
  private static final int W = 900;
  private static final int H = 560;
  private static final int LEFT = 80;
  private static final int RIGHT = 220;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;
  private static final Color CONVERGE = new Color(0x1f, 0x77, 0xb4);
  private static final Color STEADY = new Color(0xd6, 0x27, 0x28);

  /** One point: nodes, seconds, simulated or local. */
  record Point(int nodes, double seconds, boolean simulated) {}

  private BenchPlot() {}

  /** The points of a run: converge and steady pass, local and simulated. */
  static List<List<Point>> series(BenchResults results) {
    List<Point> converge = new ArrayList<>();
    List<Point> steady = new ArrayList<>();
    Map<String, BenchResults.Entry> e = results.entries();
    Map<String, Object> d = results.diagnostics();
    for (String shape : List.of("3+1", "3+3", "3+9")) {
      int nodes = 3 + Integer.parseInt(shape.substring(2));
      BenchResults.Entry c = e.get("converge_s_" + shape);
      if (c != null && c.value() != null) {
        converge.add(new Point(nodes, c.value(), false));
      }
      Object noop = d.get("local_" + shape + "_noop_pass_s");
      if (noop instanceof Number n) {
        steady.add(new Point(nodes, n.doubleValue(), false));
      }
    }
    BenchResults.Entry size = e.get("scale_nodes");
    if (size != null && size.value() != null) {
      int nodes = size.value().intValue();
      BenchResults.Entry c = e.get("scale_converge_s");
      if (c != null && c.value() != null) {
        converge.add(new Point(nodes, c.value(), true));
      }
      BenchResults.Entry s = e.get("scale_steady_pass_s");
      if (s != null && s.value() != null) {
        steady.add(new Point(nodes, s.value(), true));
      }
    }
    return List.of(converge, steady);
  }

  /** Writes the chart; returns false (and writes nothing) when the run has no point at all. */
  static boolean write(BenchResults results, Path file) throws IOException {
    List<List<Point>> series = series(results);
    List<Point> all = new ArrayList<>();
    series.forEach(all::addAll);
    if (all.isEmpty()) {
      return false;
    }
    double minN = all.stream().mapToDouble(Point::nodes).min().getAsDouble();
    double maxN = all.stream().mapToDouble(Point::nodes).max().getAsDouble();
    double minS = all.stream().mapToDouble(Point::seconds).min().getAsDouble();
    double maxS = all.stream().mapToDouble(Point::seconds).max().getAsDouble();
    // Whole decades around the data.
    double x0 = Math.floor(Math.log10(minN));
    double x1 = Math.max(x0 + 1, Math.ceil(Math.log10(maxN)));
    double y0 = Math.floor(Math.log10(Math.max(minS, 0.01)));
    double y1 = Math.max(y0 + 1, Math.ceil(Math.log10(maxS)));

    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, W, H);
      int pw = W - LEFT - RIGHT;
      int ph = H - TOP - BOTTOM;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      // Grid and tick labels, one per decade (and 2, 5 within it).
      for (double dec = x0; dec <= x1; dec++) {
        for (int m : new int[] {1, 2, 5}) {
          double v = Math.log10(m) + dec;
          if (v > x1) {
            continue;
          }
          int x = LEFT + (int) Math.round((v - x0) / (x1 - x0) * pw);
          g.setColor(m == 1 ? new Color(0xcc, 0xcc, 0xcc) : new Color(0xee, 0xee, 0xee));
          g.drawLine(x, TOP, x, TOP + ph);
          g.setColor(Color.DARK_GRAY);
          String label = number(m * Math.pow(10, dec));
          g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + ph + 18);
        }
      }
      for (double dec = y0; dec <= y1; dec++) {
        for (int m : new int[] {1, 2, 5}) {
          double v = Math.log10(m) + dec;
          if (v > y1) {
            continue;
          }
          int y = TOP + ph - (int) Math.round((v - y0) / (y1 - y0) * ph);
          g.setColor(m == 1 ? new Color(0xcc, 0xcc, 0xcc) : new Color(0xee, 0xee, 0xee));
          g.drawLine(LEFT, y, LEFT + pw, y);
          g.setColor(Color.DARK_GRAY);
          String label = number(m * Math.pow(10, dec));
          g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, TOP, pw, ph);
      g.drawString("nodes (3 masters + agents), log scale", LEFT + pw / 2 - 110, H - 25);
      Graphics2D r = (Graphics2D) g.create();
      r.rotate(-Math.PI / 2);
      r.drawString("seconds, log scale", -(TOP + ph / 2 + 50), 25);
      r.dispose();
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString("mesos-operator: converge and steady pass against cluster size", LEFT, 30);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      Color[] colors = {CONVERGE, STEADY};
      String[] names = {
        "converge (apply to Ready / Configured)", "steady pass (touch to all passed)"
      };
      for (int i = 0; i < series.size(); i++) {
        List<Point> points =
            series.get(i).stream().sorted(java.util.Comparator.comparingInt(Point::nodes)).toList();
        g.setColor(colors[i]);
        g.setStroke(new BasicStroke(2f));
        int px = -1;
        int py = -1;
        boolean pSimulated = false;
        for (Point p : points) {
          int x = LEFT + (int) Math.round((Math.log10(p.nodes()) - x0) / (x1 - x0) * pw);
          int y =
              TOP
                  + ph
                  - (int)
                      Math.round((Math.log10(Math.max(p.seconds(), 0.01)) - y0) / (y1 - y0) * ph);
          // Lines join points of one kind only: local machines and simulated nodes differ.
          if (px >= 0 && pSimulated == p.simulated()) {
            g.drawLine(px, py, x, y);
          }
          if (p.simulated()) {
            g.fillRect(x - 5, y - 5, 10, 10);
          } else {
            g.fillOval(x - 5, y - 5, 10, 10);
          }
          g.drawString(number(p.seconds()) + " s", x + 8, y - 6);
          px = x;
          py = y;
          pSimulated = p.simulated();
        }
        int ly = TOP + 20 + i * 22;
        g.fillRect(LEFT + pw + 15, ly - 8, 14, 4);
        g.setColor(Color.BLACK);
        g.drawString(names[i].split(" \\(")[0], LEFT + pw + 35, ly - 2);
      }
      g.setColor(Color.DARK_GRAY);
      int ly = TOP + 80;
      g.fillOval(LEFT + pw + 17, ly - 9, 10, 10);
      g.drawString("local machines", LEFT + pw + 35, ly);
      g.fillRect(LEFT + pw + 17, ly + 13, 10, 10);
      g.drawString("simulated nodes", LEFT + pw + 35, ly + 22);
    } finally {
      g.dispose();
    }
    Files.createDirectories(file.getParent());
    return ImageIO.write(img, "png", file.toFile());
  }

  private static String number(double v) {
    return v >= 10 || v == Math.rint(v)
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2g", v);
  }
}
