package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The last ZooKeeper snapshot copied before a master membership change. */
public class ZooKeeperBackupStatus {
  @JsonPropertyDescription(
      "The ZooKeeper ensemble (ids) the change was heading for: one backup per target.")
  private List<Integer> targetEnsemble = new ArrayList<>();

  @JsonPropertyDescription("MesosNode the snapshot was copied on.")
  private String node;

  @JsonPropertyDescription("Directory on that node holding the copy.")
  private String path;

  @JsonPropertyDescription("Files copied (the newest snapshot and the logs after it).")
  private int files;

  @JsonPropertyDescription("When (RFC 3339).")
  private String time;

  public ZooKeeperBackupStatus() {}

  public ZooKeeperBackupStatus(
      List<Integer> targetEnsemble, String node, String path, int files, String time) {
    this.targetEnsemble = new ArrayList<>(targetEnsemble);
    this.node = node;
    this.path = path;
    this.files = files;
    this.time = time;
  }

  public List<Integer> getTargetEnsemble() {
    return targetEnsemble;
  }

  public void setTargetEnsemble(List<Integer> targetEnsemble) {
    this.targetEnsemble = targetEnsemble;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public int getFiles() {
    return files;
  }

  public void setFiles(int files) {
    this.files = files;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }
}
