package io.mesosoperator.validation;

import static io.mesosoperator.render.TestInputs.agent;
import static io.mesosoperator.render.TestInputs.master;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.render.TestInputs;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeListValidatorTest {

  private static List<String> errors(List<NodeInfo> nodes) {
    return NodeListValidator.validate(TestInputs.spec(), nodes).stream()
        .map(ValidationError::toString)
        .toList();
  }

  @Test
  void tutorialNodesAreValid() {
    assertThat(NodeListValidator.validate(TestInputs.tutorialSpec(), TestInputs.tutorialNodes()))
        .isEmpty();
  }

  @Test
  void everyBrokenRuleIsReportedWithItsPath() {
    List<NodeInfo> nodes =
        List.of(
            master("m1", "10.0.0.1", 1),
            master("m1", "10.0.0.2", 1),
            new NodeInfo("m3", "m", "10.0.0.3", null, null, null),
            master("m4", "10.0.0.4", 0),
            master("m5", "10.0.0.5", 256),
            new NodeInfo("x", "nope", "10.0.0.6", null, null, null),
            new NodeInfo("a1", "a", "10.0.0.7", null, null, 9),
            new NodeInfo("../etc", "a", "10.0.0.300", "bad host", "not-v6", null));
    assertThat(errors(nodes))
        .containsExactly(
            "[1].name: duplicate node name \"m1\", first at [0]",
            "[1].zkId: duplicate ZooKeeper id 1, first at [0]",
            "[2].zkId: is required on master nodes",
            "[3].zkId: must be between 1 and 255, got 0",
            "[4].zkId: must be between 1 and 255, got 256",
            "[5].role: role \"nope\" is not in spec.roles",
            "[6].zkId: only master nodes have a ZooKeeper id",
            "[7].name: must be a host name label (letters, digits, '-'), got \"../etc\"",
            "[7].privateAddress: must be an IPv4 address, got \"10.0.0.300\"",
            "[7].publicAddress: must be an IP address or a DNS name, got \"bad host\"",
            "[7].ipv6Address: must be an IPv6 address, got \"not-v6\"");
  }

  @Test
  void missingFieldsEmptyListsAndNoMasters() {
    assertThat(errors(List.of(new NodeInfo(null, null, null, null, null, null))))
        .containsExactly(
            "[0].name: is required", "[0].role: is required", "[0].privateAddress: is required");
    assertThat(errors(List.of())).containsExactly("nodes: the node list is empty");
    assertThat(errors(List.of(agent("a1", "10.0.0.1"))))
        .containsExactly("nodes: no node has a master role: ZooKeeper needs one");
  }

  @Test
  void newlinesInValuesAreEscapedSoEachErrorStaysOneLine() {
    assertThat(errors(List.of(new NodeInfo("m1", "x\ny", "10.0.0.1", null, null, 1))))
        .containsExactly("[0].role: role \"x\\ny\" is not in spec.roles");
  }
}
