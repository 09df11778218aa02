package io.mesosoperator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.api.MesosClusterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two seed use cases rendered and compared with their golden directories. */
class RenderGoldenTest {

  static Map<String, String> renderTree(
      MesosClusterSpec spec, List<NodeInfo> nodes, NodeFacts facts) {
    Map<String, Map<String, String>> trees = new LinkedHashMap<>();
    for (NodeConfig c : ClusterRenderer.renderAll(spec, nodes, facts)) {
      trees.put(c.node(), NodeFiles.tree(c));
    }
    return Golden.flatten(trees);
  }

  @Test
  void tutorialMatchesTheHandWrittenGoldenFiles() {
    Map<String, String> tree =
        renderTree(TestInputs.tutorialSpec(), TestInputs.tutorialNodes(), NodeFacts.TUTORIAL);
    Golden.assertTree("tutorial", tree);
  }

  @Test
  void tutorialFilesAreTheTutorialsTextByteForByte() {
    Map<String, String> t =
        renderTree(TestInputs.tutorialSpec(), TestInputs.tutorialNodes(), NodeFacts.TUTORIAL);
    String zk = "zk://192.0.2.1:2181,192.0.2.2:2181,192.0.2.3:2181/mesos\n";
    for (String node : List.of("master1", "master2", "master3", "slave1", "slave2", "slave3")) {
      assertThat(t).containsEntry(node + "/etc/mesos/zk", zk);
    }
    assertThat(t)
        .containsEntry("master1/etc/zookeeper/conf/myid", "1\n")
        .containsEntry("master2/etc/zookeeper/conf/myid", "2\n")
        .containsEntry("master3/etc/zookeeper/conf/myid", "3\n")
        .containsEntry("master1/etc/mesos-master/quorum", "2\n")
        .containsEntry("master1/etc/mesos-master/ip", "192.0.2.1\n")
        .containsEntry("master1/etc/mesos-master/hostname", "192.0.2.1\n")
        .containsEntry("master2/etc/marathon/conf/hostname", "192.0.2.2\n")
        .containsEntry("master3/etc/marathon/conf/master", zk)
        .containsEntry(
            "master3/etc/marathon/conf/zk",
            "zk://192.0.2.1:2181,192.0.2.2:2181,192.0.2.3:2181/marathon\n")
        .containsEntry("master1/etc/init/mesos-slave.override", "manual\n")
        .containsEntry("slave1/etc/mesos-slave/ip", "192.0.2.51\n")
        .containsEntry("slave3/etc/mesos-slave/hostname", "192.0.2.53\n")
        .containsEntry("slave2/etc/init/zookeeper.override", "manual\n")
        .containsEntry("slave2/etc/init/mesos-master.override", "manual\n")
        .doesNotContainKey("master1/etc/init/zookeeper.override")
        .doesNotContainKey("slave1/etc/init/mesos-slave.override");

    // The tutorial's three server lines, with the 192.0.2.x addresses of its own table.
    for (String master : List.of("master1", "master2", "master3")) {
      List<String> serverLines =
          t.get(master + "/etc/zookeeper/conf/zoo.cfg")
              .lines()
              .filter(l -> l.startsWith("server."))
              .toList();
      assertThat(serverLines)
          .containsExactly(
              "server.1=192.0.2.1:2888:3888",
              "server.2=192.0.2.2:2888:3888",
              "server.3=192.0.2.3:2888:3888");
    }
  }

  @Test
  void plumberyMatchesItsGoldenDirectory() {
    Map<String, String> tree =
        renderTree(
            TestInputs.cluster(Golden.input("plumbery.yaml")).getSpec(),
            TestInputs.nodes(Golden.input("plumbery-nodes.yaml")),
            new NodeFacts("ubuntu", "xenial", InitStyle.SYSTEMD));
    assertThat(tree.keySet()).noneMatch(k -> k.endsWith(".override"));
    assertThat(tree.keySet().stream().map(k -> k.substring(0, k.indexOf('/'))).distinct())
        .hasSize(12);
    Golden.assertTree("plumbery", tree);
  }

  @Test
  void everyFileEndsWithExactlyOneNewline() {
    Map<String, String> tree =
        renderTree(
            TestInputs.cluster(Golden.input("plumbery.yaml")).getSpec(),
            TestInputs.nodes(Golden.input("plumbery-nodes.yaml")),
            new NodeFacts("ubuntu", "xenial", InitStyle.SYSTEMD));
    tree.forEach((path, text) -> assertThat(text).as(path).endsWith("\n").doesNotEndWith("\n\n"));
  }
}
