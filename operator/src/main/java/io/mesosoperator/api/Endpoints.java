package io.mesosoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Web interfaces of the cluster. */
public class Endpoints {
  @JsonPropertyDescription("Mesos web interface of the leading master.")
  private String mesos;

  @JsonPropertyDescription("Marathon web interface.")
  private String marathon;

  public Endpoints() {}

  public Endpoints(String mesos, String marathon) {
    this.mesos = mesos;
    this.marathon = marathon;
  }

  public String getMesos() {
    return mesos;
  }

  public void setMesos(String mesos) {
    this.mesos = mesos;
  }

  public String getMarathon() {
    return marathon;
  }

  public void setMarathon(String marathon) {
    this.marathon = marathon;
  }
}
