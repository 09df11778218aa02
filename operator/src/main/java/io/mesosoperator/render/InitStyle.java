package io.mesosoperator.render;

/** How services are started at boot on a node's image. */
public enum InitStyle {
  /** Upstart (Ubuntu 14.04, as in the tutorial): {@code /etc/init/X.override} holds "manual". */
  UPSTART,
  /** systemd: {@code systemctl disable --now X}. */
  SYSTEMD,
  /** Plain init scripts: {@code update-rc.d X disable}. */
  SYSVINIT
}
