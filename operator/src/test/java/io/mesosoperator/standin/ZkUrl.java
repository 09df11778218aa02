package io.mesosoperator.standin;

import java.util.regex.Pattern;

/** A {@code zk://host:port[,host:port...]/path} URL as Mesos and Marathon take it. */
record ZkUrl(String connectString, String path) {

  private static final Pattern URL =
      Pattern.compile(
          "^zk://([A-Za-z0-9.-]+:\\d{1,5}(,[A-Za-z0-9.-]+:\\d{1,5})*)(/[A-Za-z0-9_.-]+)+$");

  static ZkUrl parse(String file, String value) throws StandInConfigException {
    if (!URL.matcher(value).matches()) {
      throw new StandInConfigException(
          file + " must hold zk://host:port[,host:port...]/path, not '" + value + "'");
    }
    String rest = value.substring("zk://".length());
    int slash = rest.indexOf('/');
    return new ZkUrl(rest.substring(0, slash), rest.substring(slash));
  }

  @Override
  public String toString() {
    return "zk://" + connectString + path;
  }
}
