# mesos-operator observe: reads only, prints key<TAB>value lines. Indexes in keys refer to the
# order of the arguments Java passed, so hostile names never reach the protocol.
exec 3>&1

facts() {
  id= code=
  if [ -r "$R/etc/os-release" ]; then
    id=$(sed -n 's/^ID=//p' "$R/etc/os-release" | head -n 1 | tr -d "\"'")
    code=$(sed -n 's/^VERSION_CODENAME=//p' "$R/etc/os-release" | head -n 1 | tr -d "\"'")
    [ -n "$code" ] || code=$(sed -n 's/^UBUNTU_CODENAME=//p' "$R/etc/os-release" | head -n 1 | tr -d "\"'")
  fi
  if [ -z "$code" ] && [ -r "$R/etc/lsb-release" ]; then
    code=$(sed -n 's/^DISTRIB_CODENAME=//p' "$R/etc/lsb-release" | head -n 1 | tr -d "\"'")
    [ -n "$id" ] || id=$(sed -n 's/^DISTRIB_ID=//p' "$R/etc/lsb-release" | head -n 1 | tr -d "\"'")
  fi
  if [ -z "$code" ] && [ -z "$R" ] && command -v lsb_release >/dev/null 2>&1; then
    code=$(lsb_release -sc 2>/dev/null)
    [ -n "$id" ] || id=$(lsb_release -si 2>/dev/null)
  fi
  INIT=$(detect_init)
  out distro "$(printf '%s' "$id" | tr 'A-Z' 'a-z')"
  out codename "$code"
  out init "$INIT"
}

# file.N<TAB>sha256 of the whole file or of the lines between the markers, or absent.
obs_file() {
  f="$R$2"
  if [ "$3" = whole ]; then
    if [ -f "$f" ]; then out "file.$1" "$(sha <"$f")"; else out "file.$1" absent; fi
  elif [ -f "$f" ] && grep -qxF -e "$BEGIN_MARK" "$f"; then
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
  out "svc.run.$1" "$(svc_running "$2")"
  out "svc.en.$1" "$(svc_enabled "$2")"
  if svc_exists "$2"; then out "svc.has.$1" 1; else out "svc.has.$1" 0; fi
}

obs_aptkey() {
  if command -v apt-key >/dev/null 2>&1 && apt-key export "$1" 2>/dev/null | grep -q 'BEGIN PGP'; then
    out aptkey 1
  elif [ -s "$R/etc/apt/trusted.gpg.d/mesos-operator-$1.gpg" ]; then
    out aptkey 1
  else
    out aptkey 0
  fi
}

obs_admin() {
  if id -u "$1" >/dev/null 2>&1; then out admin.exists 1; else out admin.exists 0; fi
  keys="$R$(admin_home "$1")/.ssh/authorized_keys"
  if [ -f "$keys" ] && grep -qF -e "$(b64 "$2")" "$keys"; then out admin.key 1; else out admin.key 0; fi
}

obs_misc() {
  if [ -e "$R/var/lib/mesos-operator/upgraded" ]; then out upgraded 1; else out upgraded 0; fi
  out applied "$(cat "$R/var/lib/mesos-operator/applied" 2>/dev/null)"
  if command -v sshd >/dev/null 2>&1; then
    s=$(sshd -T 2>/dev/null </dev/null)
    out sshd.passwordauthentication "$(printf '%s\n' "$s" | awk '$1=="passwordauthentication"{print $2; exit}')"
    out sshd.permitrootlogin "$(printf '%s\n' "$s" | awk '$1=="permitrootlogin"{print $2; exit}')"
  fi
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
