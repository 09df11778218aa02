# mesos-operator host firewall: the operator's SSH session as the node sees it, and the
# operator's own nftables table (inet mesos_operator). Nothing else of the rule set is touched.
# MESOS_OPERATOR_SSH is SSH_CONNECTION handed through sudo, which drops it.
FW_TABLE=mesos_operator
FW_RECORD="/var/lib/mesos-operator/firewall"

# Sets FW_CLIENT and FW_PORT from the session: "client-ip client-port server-ip server-port".
# An address with anything but hex digits, ':' and '.' is no address.
fw_session() {
  # shellcheck disable=SC2086
  set -- ${MESOS_OPERATOR_SSH:-${SSH_CONNECTION:-}}
  FW_CLIENT=${1:-} FW_PORT=${4:-0}
  case "$FW_CLIENT" in
    *[!0-9A-Fa-f:.]* | "") FW_CLIENT= ;;
    ::ffff:*.*) FW_CLIENT=${FW_CLIENT#::ffff:} ;;
  esac
  case "$FW_PORT" in *[!0-9]* | "") FW_PORT=0 ;; esac
}

# Sets FW_LIVE to the digest of the loaded table, or absent.
fw_live() {
  FW_LIVE=absent
  command -v nft >/dev/null 2>&1 || return 0
  if l=$(nft list table inet "$FW_TABLE" 2>/dev/null </dev/null); then
    FW_LIVE=$(printf '%s\n' "$l" | sha)
  fi
}

obs_firewall() {
  fw_session
  out fw.client "$FW_CLIENT"
  out fw.port "$FW_PORT"
  fw_live
  out fw.live "$FW_LIVE"
  r=
  [ -r "$FW_RECORD" ] && IFS= read -r r <"$FW_RECORD"
  out fw.recorded "$r"
}

# Loads the file with the session's address in the operator set: one nft -f, one transaction.
# Refuses without a session address: the rules could then drop the operator.
fw_load() {
  fw_session
  if [ -z "$FW_CLIENT" ]; then
    echo "fw_load: the SSH session's source address is unknown; not loading $1"
    return 1
  fi
  case "$FW_CLIENT" in *:*) s=operator6 ;; *) s=operator4 ;; esac
  mkdir -p "/var/lib/mesos-operator"
  t=$(mktemp "/var/lib/mesos-operator/.firewall.XXXXXX")
  { cat -- "$1"; printf 'add element inet %s %s { %s }\n' "$FW_TABLE" "$s" "$FW_CLIENT"; } >"$t"
  if ! nft -f "$t" </dev/null; then rm -f "$t"; return 1; fi
  rm -f "$t"
  fw_live
  printf '%s\n' "$FW_LIVE" >"$FW_RECORD.tmp"
  mv -f "$FW_RECORD.tmp" "$FW_RECORD"
}
