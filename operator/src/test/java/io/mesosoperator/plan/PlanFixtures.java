package io.mesosoperator.plan;

import io.mesosoperator.api.RoleType;
import io.mesosoperator.plan.Observation.ServiceState;
import io.mesosoperator.plan.PlanOptions.AdminAccount;
import io.mesosoperator.render.AptSource;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-built node configurations in the tutorial's shape (the renderer is tested elsewhere). */
public final class PlanFixtures {
  private PlanFixtures() {}

  public static final String ZK = "zk://192.0.2.1:2181,192.0.2.2:2181,192.0.2.3:2181/mesos\n";

  public static final AdminAccount ADMIN =
      new AdminAccount("mesosadmin", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForPlanTests op");

  /** Master 1 of 3 on an image with the given init system. */
  public static NodeConfig master(InitStyle init) {
    List<ManagedFile> files = new ArrayList<>();
    files.add(ManagedFile.whole("/etc/mesos/zk", ZK));
    files.add(ManagedFile.whole("/etc/zookeeper/conf/myid", "1\n"));
    files.add(
        ManagedFile.whole(
            "/etc/zookeeper/conf/zoo.cfg",
            "tickTime=2000\ndataDir=/var/lib/zookeeper\nclientPort=2181\n"
                + "server.1=192.0.2.1:2888:3888\nserver.2=192.0.2.2:2888:3888\n"
                + "server.3=192.0.2.3:2888:3888\n"));
    files.add(ManagedFile.whole("/etc/mesos-master/quorum", "2\n"));
    files.add(ManagedFile.whole("/etc/mesos-master/ip", "192.0.2.1\n"));
    files.add(ManagedFile.whole("/etc/mesos-master/hostname", "192.0.2.1\n"));
    files.add(ManagedFile.whole("/etc/marathon/conf/hostname", "192.0.2.1\n"));
    files.add(ManagedFile.whole("/etc/marathon/conf/master", ZK));
    files.add(
        ManagedFile.whole(
            "/etc/marathon/conf/zk",
            "zk://192.0.2.1:2181,192.0.2.2:2181,192.0.2.3:2181/marathon\n"));
    if (init == InitStyle.UPSTART) {
      files.add(ManagedFile.whole("/etc/init/mesos-slave.override", "manual\n"));
    }
    files.add(
        new ManagedFile(
            "/etc/hosts",
            "192.0.2.1 master-1\n192.0.2.2 master-2\n192.0.2.3 master-3",
            "0644",
            "root:root",
            ManagedFile.Kind.BLOCK_END));
    files.add(
        new ManagedFile(
            "/etc/ssh/sshd_config",
            "PasswordAuthentication no\nPermitRootLogin no\n",
            "0644",
            "root:root",
            ManagedFile.Kind.BLOCK_START));
    Map<String, List<String>> triggers = new LinkedHashMap<>();
    triggers.put("zookeeper", List.of("/etc/zookeeper/conf/myid", "/etc/zookeeper/conf/zoo.cfg"));
    triggers.put(
        "mesos-master",
        List.of(
            "/etc/mesos/zk",
            "/etc/mesos-master/quorum",
            "/etc/mesos-master/ip",
            "/etc/mesos-master/hostname"));
    triggers.put(
        "marathon",
        List.of(
            "/etc/mesos/zk",
            "/etc/marathon/conf/hostname",
            "/etc/marathon/conf/master",
            "/etc/marathon/conf/zk"));
    return new NodeConfig(
        "master-1",
        RoleType.MASTER,
        "master-1",
        files,
        new AptSource(
            "mesosphere.list",
            "deb http://repos.mesosphere.com/ubuntu trusty main",
            "E56151BF",
            "keyserver.ubuntu.com"),
        List.of("mesos", "marathon"),
        true,
        true,
        List.of("zookeeper", "mesos-master", "marathon"),
        List.of("mesos-slave"),
        triggers);
  }

  /** What a node that has never been touched reports. */
  public static Observation fresh(InitStyle init) {
    Map<String, ServiceState> services = new HashMap<>();
    services.put("mesos-slave", new ServiceState(true, true));
    return new Observation(
        new NodeFacts("ubuntu", "trusty", init),
        Map.of("/etc/mesos/zk", Digests.sha256("zk://localhost:2181/mesos\n")),
        Map.of(),
        Map.of(),
        services,
        false,
        false,
        false,
        false,
        Map.of("passwordauthentication", "yes"),
        "unknown",
        "",
        Map.of());
  }

  /** What a node converged to {@code config} reports. */
  public static Observation converged(NodeConfig config, InitStyle init, AdminAccount admin) {
    Map<String, String> whole = new HashMap<>();
    Map<String, String> block = new HashMap<>();
    for (ManagedFile f : config.files()) {
      (f.kind() == ManagedFile.Kind.WHOLE ? whole : block).put(f.path(), Digests.desired(f));
    }
    if (admin != null) {
      ManagedFile sudoers = NodePlan.sudoers(admin);
      whole.put(sudoers.path(), Digests.desired(sudoers));
    }
    if (config.aptSource() != null) {
      whole.put(
          NodePlan.aptSourcePath(config.aptSource()),
          Digests.sha256(NodePlan.aptSourceContent(config.aptSource())));
    }
    Map<String, String> packages = new HashMap<>();
    config.packages().forEach(p -> packages.put(NodePlan.packageName(p), "1.0"));
    Map<String, ServiceState> services = new HashMap<>();
    config.services().forEach(s -> services.put(s, new ServiceState(true, true)));
    config.disabledServices().forEach(s -> services.put(s, ServiceState.STOPPED));
    services.put(NodePlan.CLOCK_SERVICE, new ServiceState(true, true));
    Map<String, String> started = new HashMap<>();
    config.services().forEach(s -> started.put(s, ConfigDigest.ofService(config, s)));
    return new Observation(
        new NodeFacts("ubuntu", "trusty", init),
        whole,
        block,
        packages,
        services,
        true,
        true,
        true,
        true,
        Map.of("passwordauthentication", "no"),
        "synced",
        ConfigDigest.of(config),
        started);
  }
}
