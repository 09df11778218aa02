package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** The package repository and the default packages of each role type. */
public class PackagesSpec {
  /** The Mesosphere repository line of the tutorial; {distro} and {codename} come from the node. */
  public static final String DEFAULT_REPOSITORY =
      "deb http://repos.mesosphere.io/{distro} {codename} main";

  public static final String DEFAULT_KEY_ID = "E56151BF";
  public static final String DEFAULT_KEY_SERVER = "keyserver.ubuntu.com";

  @Size(max = 512)
  @Pattern("^(deb (\\[[^\\]\\n]*\\] )?[A-Za-z0-9+.:/{}_~%-]+( [A-Za-z0-9.{}_/-]+)+)?$")
  @JsonPropertyDescription(
      "APT source line written to /etc/apt/sources.list.d/mesos-operator.list. {distro} and"
          + " {codename} are replaced with the node's (for example ubuntu, trusty). Empty"
          + " string: no extra repository. Unset: the Mesosphere repository.")
  private String repository;

  @Size(max = 40)
  @Pattern(Patterns.KEY_ID_REGEX)
  @JsonPropertyDescription("Id of the repository's signing key. Unset: E56151BF (Mesosphere).")
  private String keyId;

  @Size(max = 253)
  @Pattern(Patterns.KEY_SERVER_REGEX)
  @JsonPropertyDescription("Key server the signing key is fetched from.")
  private String keyServer;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Packages installed on masters, optionally pinned (name=version). Unset: mesosphere.")
  private List<@Pattern(Patterns.PACKAGE_REGEX) String> master;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Packages installed on agents, optionally pinned (name=version). Unset: mesos.")
  private List<@Pattern(Patterns.PACKAGE_REGEX) String> agent;

  /** The repository line with the default applied. */
  public String repositoryOrDefault() {
    return repository == null ? DEFAULT_REPOSITORY : repository;
  }

  public String keyIdOrDefault() {
    return keyId == null ? DEFAULT_KEY_ID : keyId;
  }

  public String keyServerOrDefault() {
    return keyServer == null ? DEFAULT_KEY_SERVER : keyServer;
  }

  /** The packages for a role type with the defaults applied. */
  public List<String> forType(RoleType type) {
    List<String> chosen = type == RoleType.MASTER ? master : agent;
    if (chosen != null) {
      return chosen;
    }
    return new ArrayList<>(List.of(type == RoleType.MASTER ? "mesosphere" : "mesos"));
  }

  public String getRepository() {
    return repository;
  }

  public void setRepository(String repository) {
    this.repository = repository;
  }

  public String getKeyId() {
    return keyId;
  }

  public void setKeyId(String keyId) {
    this.keyId = keyId;
  }

  public String getKeyServer() {
    return keyServer;
  }

  public void setKeyServer(String keyServer) {
    this.keyServer = keyServer;
  }

  public List<String> getMaster() {
    return master;
  }

  public void setMaster(List<String> master) {
    this.master = master;
  }

  public List<String> getAgent() {
    return agent;
  }

  public void setAgent(List<String> agent) {
    this.agent = agent;
  }
}
