# mesos-operator apply: set -e, one call per action. Command noise goes to the node's own log;
# protocol lines go to fd 3 (the SSH stdout). On failure the log's tail is reported.
# Init scripts run with fd 3 closed: a daemon that keeps inherited descriptors open would
# otherwise hold the SSH channel open and hang the whole apply.
set -e
mkdir -p "/var/log"
LOG="/var/log/mesos-operator.log"
exec 3>&1 >>"$LOG" 2>&1
trap 'rc=$?; if [ "$rc" -ne 0 ]; then tail -n 15 "$LOG" | sed "s/^/log$T/" >&3; fi' EXIT
export DEBIAN_FRONTEND=noninteractive
APT_OPTS='-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold'

# Writes stdin to path $1 atomically: temp file in the same directory, mode, owner, mv -f.
# Temp files of a pass that died before its mv (dropped connection, crashed node) are removed:
# one pass at a time runs on a node, so any other is stale.
atomic() {
  dir=$(dirname -- "$1")
  mkdir -p -- "$dir"
  find "$dir" -maxdepth 1 -type f -name '.mesos-operator.??????' -delete
  tmp=$(mktemp "$dir/.mesos-operator.XXXXXX")
  cat >"$tmp"
  chmod "$2" "$tmp"
  chown "$3" "$tmp"
  mv -f -- "$tmp" "$1"
}

apt_source() {
  if command -v apt-key >/dev/null 2>&1; then
    apt-key adv --keyserver "$3" --recv-keys "$4"
  else
    mkdir -p "/etc/apt/trusted.gpg.d"
    gpg --batch --no-default-keyring --keyring "/etc/apt/trusted.gpg.d/mesos-operator-$4.gpg" \
      --keyserver "$3" --recv-keys "$4"
  fi
  b64 "$2" | atomic "$1" 0644 root:root
}

apt_update() { apt-get -q update; }

upgrade() {
  # shellcheck disable=SC2086
  apt-get $APT_OPTS dist-upgrade
  mkdir -p "/var/lib/mesos-operator"
  : >"$1"
}

install_pkgs() {
  # shellcheck disable=SC2086
  apt-get $APT_OPTS install "$@"
}

ensure_admin() {
  home=$(admin_home "$1")
  if ! id -u "$1" >/dev/null 2>&1; then
    useradd -m -d "$home" -s /bin/bash -- "$1"
  fi
  mkdir -p "$home/.ssh"
  key=$(b64 "$2")
  match=$(printf '%s\n' "$key" | awk '{print $1" "$2}')
  touch "$home/.ssh/authorized_keys"
  grep -qF -e "$match" "$home/.ssh/authorized_keys" || printf '%s\n' "$key" >>"$home/.ssh/authorized_keys"
  chmod 700 "$home/.ssh"
  chmod 600 "$home/.ssh/authorized_keys"
  chown -R "$1:" "$home/.ssh"
}

write_whole() { b64 "$4" | atomic "$1" "$2" "$3"; }

# Rewrites the file with the block at the start or the end; lines outside the markers are kept.
write_block() {
  f="$1"
  {
    if [ "$4" = start ]; then printf '%s\n' "$BEGIN_MARK"; b64 "$5"; printf '%s\n' "$END_MARK"; fi
    if [ -f "$f" ]; then
      awk -v b="$BEGIN_MARK" -v e="$END_MARK" '$0==b{s=1; next} $0==e{s=0; next} !s{print}' "$f"
    fi
    if [ "$4" = end ]; then printf '%s\n' "$BEGIN_MARK"; b64 "$5"; printf '%s\n' "$END_MARK"; fi
  } | atomic "$1" "$2" "$3"
}

svc_disable() {
  case "$INIT" in
    systemd) systemctl disable --now "$1" ;;
    # No start links at all (a service started by hand) is already disabled for boot.
    sysvinit)
      if ls /etc/rc[2-5].d/S??"$1" >/dev/null 2>&1; then update-rc.d "$1" disable; fi
      service "$1" stop </dev/null 3>&- || true ;;
    upstart) service "$1" stop </dev/null 3>&- || true ;;
  esac
}

# A service without init script or unit (its package is not installed) is skipped, not failed:
# the step reports skipped.N and the operator says which service is missing.
SKIPPED=0

svc_restart() {
  if ! svc_exists "$1"; then SKIPPED=1; return 0; fi
  case "$INIT" in
    systemd) systemctl restart "$1" ;;
    *) service "$1" restart </dev/null 3>&- || service "$1" start </dev/null 3>&- ;;
  esac
}

svc_start() {
  if ! svc_exists "$1"; then SKIPPED=1; return 0; fi
  case "$INIT" in
    systemd) systemctl start "$1" ;;
    *) service "$1" start </dev/null 3>&- ;;
  esac
}

ssh_reload() {
  case "$INIT" in
    systemd) systemctl reload ssh || systemctl reload sshd ;;
    *) service ssh reload </dev/null 3>&- ;;
  esac
}

clock_enable() {
  case "$INIT" in
    systemd) systemctl enable --now chrony ;;
    sysvinit) update-rc.d chrony enable; service chrony start </dev/null 3>&- || true ;;
    upstart) service chrony start </dev/null 3>&- || true ;;
  esac
}

# The running hostname (the kernel's; /etc/hostname only takes at boot).
set_hostname() { hostname "$1"; }

# Records in file $2 the inputs $3 service $1 runs with, once its start or restart (the step
# before) succeeded. A service without init script or unit was skipped, not started: nothing is
# recorded for it.
record_started() {
  if ! svc_exists "$1"; then return 0; fi
  printf '%s\n' "$3" | atomic "$2" 0644 root:root
}

record_digest() { printf '%s\n' "$2" | atomic "$1" 0644 root:root; }

# done.N after each action, so a failure names its step.
step() {
  if [ "$SKIPPED" = 1 ]; then out "skipped.$1" 1; SKIPPED=0; fi
  out "done.$1" 1
}

# One pass at a time (common.sh): everything below runs under the node's apply lock.
node_lock 5
