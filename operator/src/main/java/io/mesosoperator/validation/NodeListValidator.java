package io.mesosoperator.validation;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.render.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a node list against a cluster spec before rendering: every broken rule, in list order.
 * Pure. Paths look like {@code [2].zkId}.
 */
public final class NodeListValidator {
  /** A host name label: it becomes /etc/hostname and a directory name, so no dots or slashes. */
  private static final Pattern NAME =
      Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$");

  private static final Pattern IPV4 =
      Pattern.compile(
          "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$");
  private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]{2,45}$");

  /** An IP address or a DNS name: it is written as Mesos' and Marathon's advertised hostname. */
  private static final Pattern HOST =
      Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9.:]{0,251}[A-Za-z0-9])?$");

  private NodeListValidator() {}

  /** Every broken rule; empty when the list can be rendered. */
  public static List<ValidationError> validate(MesosClusterSpec spec, List<NodeInfo> nodes) {
    List<ValidationError> errors = new ArrayList<>();
    if (nodes == null || nodes.isEmpty()) {
      errors.add(new ValidationError("nodes", "the node list is empty"));
      return errors;
    }
    Map<String, Integer> names = new HashMap<>();
    Map<Integer, Integer> zkIds = new HashMap<>();
    int masters = 0;
    for (int i = 0; i < nodes.size(); i++) {
      NodeInfo n = nodes.get(i);
      String at = "[" + i + "]";
      if (n == null) {
        errors.add(new ValidationError(at, "must be a node, not empty"));
        continue;
      }
      if (blank(n.name())) {
        errors.add(new ValidationError(at + ".name", "is required"));
      } else if (!NAME.matcher(n.name()).matches()) {
        errors.add(
            new ValidationError(
                at + ".name",
                "must be a host name label (letters, digits, '-'), got " + q(n.name())));
      } else {
        Integer first = names.putIfAbsent(n.name(), i);
        if (first != null) {
          errors.add(
              new ValidationError(
                  at + ".name",
                  "duplicate node name " + q(n.name()) + ", first at [" + first + "]"));
        }
      }

      Optional<RoleSpec> role = Optional.empty();
      if (blank(n.role())) {
        errors.add(new ValidationError(at + ".role", "is required"));
      } else {
        role = spec.getRoles().stream().filter(r -> n.role().equals(r.getName())).findFirst();
        if (role.isEmpty()) {
          errors.add(
              new ValidationError(at + ".role", "role " + q(n.role()) + " is not in spec.roles"));
        }
      }

      if (blank(n.privateAddress())) {
        errors.add(new ValidationError(at + ".privateAddress", "is required"));
      } else if (!IPV4.matcher(n.privateAddress()).matches()) {
        errors.add(
            new ValidationError(
                at + ".privateAddress", "must be an IPv4 address, got " + q(n.privateAddress())));
      }
      if (n.publicAddress() != null && !HOST.matcher(n.publicAddress()).matches()) {
        errors.add(
            new ValidationError(
                at + ".publicAddress",
                "must be an IP address or a DNS name, got " + q(n.publicAddress())));
      }
      if (n.ipv6Address() != null
          && !(IPV6.matcher(n.ipv6Address()).matches() && n.ipv6Address().contains(":"))) {
        errors.add(
            new ValidationError(
                at + ".ipv6Address", "must be an IPv6 address, got " + q(n.ipv6Address())));
      }

      boolean master = role.map(r -> r.getType() == RoleType.MASTER).orElse(false);
      if (master) {
        masters++;
        if (n.zkId() == null) {
          errors.add(new ValidationError(at + ".zkId", "is required on master nodes"));
        } else if (n.zkId() < 1 || n.zkId() > 255) {
          errors.add(
              new ValidationError(at + ".zkId", "must be between 1 and 255, got " + n.zkId()));
        } else {
          Integer first = zkIds.putIfAbsent(n.zkId(), i);
          if (first != null) {
            errors.add(
                new ValidationError(
                    at + ".zkId",
                    "duplicate ZooKeeper id " + n.zkId() + ", first at [" + first + "]"));
          }
        }
      } else if (role.isPresent() && n.zkId() != null) {
        errors.add(new ValidationError(at + ".zkId", "only master nodes have a ZooKeeper id"));
      }
    }
    if (masters == 0 && errors.isEmpty()) {
      errors.add(new ValidationError("nodes", "no node has a master role: ZooKeeper needs one"));
    }
    return errors;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String q(String s) {
    // Escaped, so that every error stays on one line.
    return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r") + "\"";
  }
}
