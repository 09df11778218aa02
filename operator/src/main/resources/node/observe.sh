# mesos-operator observe: reads only, prints key<TAB>value lines. Indexes in keys refer to the
# order of the arguments Java passed, so hostile names never reach the protocol.
exec 3>&1

# Sets V to the value of the first KEY=... line of FILE, surrounding quotes removed (no process).
kv() {
  V=
  [ -r "$1" ] || return 0
  while IFS= read -r l || [ -n "$l" ]; do
    case "$l" in
      "$2="*) V=${l#"$2="}; V=${V#[\"\']}; V=${V%[\"\']}; return 0 ;;
    esac
  done <"$1"
}

facts() {
  id= code=
  kv "/etc/os-release" ID; id=$V
  kv "/etc/os-release" VERSION_CODENAME; code=$V
  [ -n "$code" ] || { kv "/etc/os-release" UBUNTU_CODENAME; code=$V; }
  if [ -z "$code" ]; then
    kv "/etc/lsb-release" DISTRIB_CODENAME; code=$V
    [ -n "$id" ] || { kv "/etc/lsb-release" DISTRIB_ID; id=$V; }
  fi
  if [ -z "$code" ] && command -v lsb_release >/dev/null 2>&1; then
    code=$(lsb_release -sc 2>/dev/null)
    [ -n "$id" ] || id=$(lsb_release -si 2>/dev/null)
  fi
  INIT=$(detect_init)
  case "$id" in
    *[A-Z]*) id=$(printf '%s' "$id" | tr 'A-Z' 'a-z') ;;
  esac
  out distro "$id"
  out codename "$code"
  out init "$INIT"
}

# file.N<TAB>sha256 for whole files, one sha256sum for all: arguments are N path N path ....
# A file that exists but cannot be read gets an empty digest (it differs from any content).
obs_whole() {
  n=$(($# / 2)) i=0 idx=
  while [ "$i" -lt "$n" ]; do
    k=$1 f="$2"
    shift 2
    if [ -f "$f" ]; then set -- "$@" "$f"; idx="$idx $k"; else out "file.$k" absent; fi
    i=$((i + 1))
  done
  [ -n "$idx" ] || return 0
  sha256sum -- "$@" 2>/dev/null | {
    IFS= read -r line || line=
    for k in $idx; do
      if [ "${line#*  }" = "$1" ]; then
        out "file.$k" "${line%%  *}"
        IFS= read -r line || line=
      else
        out "file.$k" ""
      fi
      shift
    done
  }
}

# file.N<TAB>sha256 of the lines between the markers, or absent when there is no managed block.
obs_block() {
  f="$2"
  if [ -f "$f" ] && grep -qxF -e "$BEGIN_MARK" "$f"; then
    out "file.$1" "$(awk -v b="$BEGIN_MARK" -v e="$END_MARK" '$0==e{s=0} s{print} $0==b{s=1}' "$f" | sha)"
  else
    out "file.$1" absent
  fi
}

obs_pkg() {
  v=$(dpkg-query -W -f='${db:Status-Abbrev}\t${Version}' "$2" 2>/dev/null) || v=
  case "$v" in
    ii*) out "pkg.$1" "${v#*"$T"}" ;;
    *) out "pkg.$1" absent ;;
  esac
}

obs_svc() {
  svc_check_running "$2"
  out "svc.run.$1" "$SV"
  svc_check_enabled "$2"
  out "svc.en.$1" "$SE"
  if svc_exists "$2"; then out "svc.has.$1" 1; else out "svc.has.$1" 0; fi
}

# started.N<TAB>digest for each service argument with a start record (the inputs it was last
# started with, written by the apply only after that start succeeded); nothing without a record.
# Arguments are N name N name ...; read is a builtin, so no process per service.
obs_started() {
  while [ "$#" -ge 2 ]; do
    a=
    if [ -r "/var/lib/mesos-operator/started/$2" ]; then
      IFS= read -r a <"/var/lib/mesos-operator/started/$2" || :
      out "started.$1" "$a"
    fi
    shift 2
  done
}

obs_aptkey() {
  if command -v apt-key >/dev/null 2>&1 && apt-key export "$1" 2>/dev/null | grep -q 'BEGIN PGP'; then
    out aptkey 1
  elif [ -s "/etc/apt/trusted.gpg.d/mesos-operator-$1.gpg" ]; then
    out aptkey 1
  else
    out aptkey 0
  fi
}

obs_admin() {
  if id -u "$1" >/dev/null 2>&1; then out admin.exists 1; else out admin.exists 0; fi
  keys="$(admin_home "$1")/.ssh/authorized_keys"
  if [ -f "$keys" ] && grep -qF -e "$(b64 "$2")" "$keys"; then out admin.key 1; else out admin.key 0; fi
}

# sshd's effective settings (sshd -T) for each login the hardening is about, so a Match block
# cannot quietly turn passwords or root login back on. sshd -T alone prints the global settings
# and skips every Match block; -C evaluates the blocks for one connection, and a block on a
# criterion the connection leaves out does not apply. So each connection names all of them: the
# user; the address it comes from, also as the host name (sshd matches Host against the address
# unless UseDNS is on); the node address and port it reaches. The logins: the admin ($1), root,
# and up to three other accounts whose shell is in /etc/shells (a Match User block for one of
# them is a password login too); each from the operator's own address as the node sees it (the
# session's) and from an address of no network the node knows (203.0.113.1, documentation
# range; nothing is sent there), which stands for the rest of the world. Only sshd itself knows
# how its Match blocks, Includes and first-match-wins rules combine: asking it, rather than
# parsing the files here, is what stays right across OpenSSH versions.
# Output per connection N: sshd.N.user, sshd.N.addr, then sshd.N.<setting> for the settings the
# hardening turns off, or sshd.N.error with sshd's first line when it cannot tell.
obs_sshd() {
  command -v sshd >/dev/null 2>&1 || return 0
  fw_session
  # shellcheck disable=SC2086
  set -- "$1" ${MESOS_OPERATOR_SSH:-${SSH_CONNECTION:-}}
  sd_users=$1 sd_laddr=${4:-} sd_lport=${5:-22}
  case "$sd_laddr" in *[!0-9A-Fa-f:.]* | "") sd_laddr= ;; ::ffff:*.*) sd_laddr=${sd_laddr#::ffff:} ;; esac
  case "$sd_lport" in *[!0-9]* | "") sd_lport=22 ;; esac
  case " $sd_users " in *" root "*) ;; *) sd_users="$sd_users root" ;; esac
  if [ -r /etc/shells ] && [ -r /etc/passwd ]; then
    # Builtins only: one line of /etc/shells a word, compared without a process per account.
    sd_shells=" "
    while read -r l _; do
      case "$l" in /*) sd_shells="$sd_shells$l " ;; esac
    done </etc/shells
    sd_extra=0
    while IFS=: read -r u _ _ _ _ _ sh; do
      [ "$sd_extra" -lt 3 ] || break
      case "$u" in "" | *[!a-z0-9_.-]*) continue ;; esac
      case " $sd_users " in *" $u "*) continue ;; esac
      case "$sh" in "" | *" "*) continue ;; esac
      case "$sd_shells" in *" $sh "*) ;; *) continue ;; esac
      sd_users="$sd_users $u"
      sd_extra=$((sd_extra + 1))
    done </etc/passwd
  fi
  sd_addrs=203.0.113.1
  [ -n "$FW_CLIENT" ] && [ "$FW_CLIENT" != 203.0.113.1 ] && sd_addrs="$FW_CLIENT $sd_addrs"
  n=0
  for u in $sd_users; do
    for a in $sd_addrs; do
      c="user=$u,host=$a,addr=$a,lport=$sd_lport"
      [ -n "$sd_laddr" ] && c="$c,laddr=$sd_laddr"
      out "sshd.$n.user" "$u"
      out "sshd.$n.addr" "$a"
      # An OpenSSH older than 6.5 knows no laddr/lport (nor LocalAddress/LocalPort blocks).
      if t=$(sshd -T -C "$c" 2>&1 </dev/null) \
        || t=$(sshd -T -C "user=$u,host=$a,addr=$a" 2>&1 </dev/null); then
        printf '%s\n' "$t" | while read -r k v _; do
          case "$k" in
            passwordauthentication | permitrootlogin | kbdinteractiveauthentication | challengeresponseauthentication)
              out "sshd.$n.$k" "$v" ;;
          esac
        done
      else
        out "sshd.$n.error" "$(printf '%s\n' "$t" | head -n 1 | tr -d '\t\r')"
      fi
      n=$((n + 1))
    done
  done
}

obs_misc() {
  if [ -e "/var/lib/mesos-operator/upgraded" ]; then out upgraded 1; else out upgraded 0; fi
  a=
  [ -r "/var/lib/mesos-operator/applied" ] && IFS= read -r a <"/var/lib/mesos-operator/applied"
  out applied "$a"
  obs_sshd "${1:-root}"
  # The running hostname (the kernel's), read without a process.
  h=
  [ -r "/proc/sys/kernel/hostname" ] && IFS= read -r h <"/proc/sys/kernel/hostname"
  out hostname "$h"
  c=unknown
  if command -v chronyc >/dev/null 2>&1; then
    if chronyc tracking 2>/dev/null </dev/null | grep -q 'Leap status *: Normal'; then c=synced; else c=unsynced; fi
  elif command -v timedatectl >/dev/null 2>&1; then
    case "$(timedatectl show -p NTPSynchronized --value 2>/dev/null </dev/null)" in
      yes) c=synced ;;
      no) c=unsynced ;;
    esac
  fi
  out clock "$c"
}

# One pass at a time (common.sh): look only once no apply runs, or report the node busy.
await_no_apply 20 || exit 0
