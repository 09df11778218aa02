# mesos-operator remote prelude. Java appends calls whose every argument is single-quoted.
# Paths are the node's own: nothing in the node's environment can point these scripts elsewhere.
PATH="$PATH:/usr/sbin:/sbin"
export PATH
T="$(printf '\t')"
BEGIN_MARK='# BEGIN mesos-operator managed block'
END_MARK='# END mesos-operator managed block'

# A protocol line: key<TAB>value.
out() { printf '%s\t%s\n' "$1" "$2" >&3; }
sha() { sha256sum | cut -d' ' -f1; }
b64() { printf '%s' "$1" | base64 -d; }
admin_home() { if [ "$1" = root ]; then echo /root; else echo "/home/$1"; fi; }

detect_init() {
  if [ -d "/run/systemd/system" ]; then echo systemd
  elif command -v initctl >/dev/null 2>&1 && [ -d /etc/init ]; then echo upstart
  else echo sysvinit
  fi
}

# Sets SV to 1 when the service answers its status check, else 0. Upstart's status exits 0 when
# stopped. A variable, not output: every $(...) is one more process on the node, every pass.
svc_check_running() {
  SV=0
  case "$INIT" in
    systemd) systemctl is-active --quiet "$1" 2>/dev/null && SV=1 ;;
    *)
      if o=$(service "$1" status 2>&1 </dev/null); then
        case "$o" in *stop/waiting*) ;; *) SV=1 ;; esac
      fi ;;
  esac
}

# Sets SE to 1 when the service starts at boot, else 0.
svc_check_enabled() {
  SE=0
  case "$INIT" in
    systemd) systemctl is-enabled --quiet "$1" 2>/dev/null && SE=1 ;;
    upstart) grep -qx manual "/etc/init/$1.override" 2>/dev/null || SE=1 ;;
    *)
      for f in /etc/rc2.d/S[0-9][0-9]"$1"; do [ -e "$f" ] && SE=1; done ;;
  esac
}

# Whether the node has an init script or unit for the service at all. A service whose package
# is not installed cannot be started; the operator reports it instead of pretending.
svc_exists() {
  case "$INIT" in
    systemd) [ -n "$(systemctl list-unit-files --no-legend -- "$1.service" 2>/dev/null)" ] \
      || [ -x "/etc/init.d/$1" ] ;;
    upstart) [ -f "/etc/init/$1.conf" ] || [ -x "/etc/init.d/$1" ] ;;
    *) [ -x "/etc/init.d/$1" ] ;;
  esac
}

# status.N<TAB>1|0 for each service argument, in order; missing.N<TAB>1 when it is not installed.
report_services() {
  n=0
  for s in "$@"; do
    svc_check_running "$s"
    out "status.$n" "$SV"
    svc_exists "$s" || out "missing.$n" 1
    n=$((n + 1))
  done
}

# ---- one pass per node ----
# An apply runs whole while a helper process holds an exclusive flock(1) on NODE_LOCK, so a pass
# whose connection dropped but which still runs on the node (an orphan) and the next pass never
# interleave writes or delete each other's temp files. The helper, not the apply's shell, holds
# the descriptor (flock -o), so no daemon the apply starts can inherit the lock; it lets go as
# soon as that shell ends, however it ends (tail --pid), and the kernel frees the lock when the
# helper is killed. /run is a tmpfs: a reboot frees it too.
NODE_LOCK="/run/lock/mesos-operator-apply.lock"

# Observe: waits up to $1 s until no apply holds the lock, so a pass plans from a quiet node,
# never from half of another pass. Prints busy<TAB>$1 and returns 1 when one still holds it.
await_no_apply() {
  [ -e "$NODE_LOCK" ] || return 0
  flock -s -w "$1" "$NODE_LOCK" true 2>/dev/null && return 0
  out busy "$1"
  return 1
}

# Apply: takes the lock for the rest of this shell's life, waiting up to $1 s for it. Prints
# busy<TAB>$1 and exits 75, having changed nothing, when another pass keeps it.
node_lock() {
  if ! command -v flock >/dev/null 2>&1; then
    echo "flock (util-linux) is missing on the node: one pass at a time cannot be ensured" >&2
    exit 1
  fi
  mkdir -p "/run/lock"
  lock_ready="$NODE_LOCK.$$"
  rm -f "$lock_ready" "$lock_ready.busy"
  {
    flock -o -w "$1" "$NODE_LOCK" \
      sh -c ': >"$1" && exec tail -s 0.2 --pid="$2" -f /dev/null' sh "$lock_ready" "$$" \
      || : >"$lock_ready.busy"
  } </dev/null >/dev/null 2>&1 3>&- &
  lock_polls=0
  while [ ! -e "$lock_ready" ]; do
    # Bounded even if the helper died without a word: its wait plus 5 s.
    if [ -e "$lock_ready.busy" ] || [ "$lock_polls" -gt $(($1 * 20 + 100)) ]; then
      rm -f "$lock_ready.busy"
      out busy "$1"
      exit 75
    fi
    sleep 0.05
    lock_polls=$((lock_polls + 1))
  done
  rm -f "$lock_ready"
}
