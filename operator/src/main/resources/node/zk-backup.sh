# mesos-operator: copy ZooKeeper's newest snapshot, and the transaction logs after it, to a
# backup directory on this node. Java appends one call whose every argument is single-quoted:
#   zk_backup ZOO_CFG DEFAULT_DATA_DIR BACKUP_BASE NAME KEEP
# Output: key<TAB>value lines (path, files, bytes) or an error line and a non-zero exit.
PATH="$PATH:/usr/sbin:/sbin"
export PATH
umask 077

out() { printf '%s\t%s\n' "$1" "$2"; }
fail() { out error "$1"; exit 1; }
size() { wc -c <"$1" | tr -d ' '; }
# zxid of a snapshot.<hex> or log.<hex> file name, as a decimal number.
zxid() { printf '%d' "0x${1#*.}" 2>/dev/null || echo -1; }

# The value of KEY in zoo.cfg (last one wins, as in ZooKeeper), or empty.
cfg() { [ -f "$1" ] && sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" | tail -n 1; }

zk_backup() {
  data="$(cfg "$1" dataDir)"; [ -n "$data" ] || data="$2"
  logs="$(cfg "$1" dataLogDir)"; [ -n "$logs" ] || logs="$data"
  snaps="$data/version-2"; txns="$logs/version-2"
  [ -d "$snaps" ] || fail "no ZooKeeper data directory $data/version-2"
  # Newest snapshot: the highest zxid (names are snapshot.<hex zxid>).
  best=""; bestz=-1
  for f in "$snaps"/snapshot.*; do
    [ -f "$f" ] || continue
    z="$(zxid "$(basename "$f")")"
    if [ "$z" -gt "$bestz" ]; then best="$f"; bestz="$z"; fi
  done
  [ -n "$best" ] || fail "no ZooKeeper snapshot in $data/version-2"
  # The logs a restore needs: the last one starting at or before the snapshot, and all later.
  first=""; firstz=-1
  for f in "$txns"/log.*; do
    [ -f "$f" ] || continue
    z="$(zxid "$(basename "$f")")"
    if [ "$z" -le "$bestz" ] && [ "$z" -gt "$firstz" ]; then first="$f"; firstz="$z"; fi
  done
  dest="$3/$4"
  part="$dest.partial"
  rm -rf "$part"
  mkdir -p "$part" || fail "cannot create $3/$4.partial"
  n=0; bytes=0
  copy() {
    before="$(size "$1")"
    cp -p "$1" "$part/" || fail "copying $(basename "$1") failed"
    after="$(size "$part/$(basename "$1")")"
    # A log may grow while it is copied; the copy must hold at least what was there before.
    [ "$after" -ge "$before" ] && [ "$after" -gt 0 ] \
      || fail "copy of $(basename "$1") has $after bytes, expected $before"
    n=$((n + 1)); bytes=$((bytes + after))
  }
  copy "$best"
  for f in "$txns"/log.*; do
    [ -f "$f" ] || continue
    z="$(zxid "$(basename "$f")")"
    if [ "$z" -gt "$bestz" ] || [ "$f" = "$first" ]; then copy "$f"; fi
  done
  count="$(ls -1 "$part" | wc -l | tr -d ' ')"
  [ "$count" -eq "$n" ] || fail "backup holds $count files, expected $n"
  rm -rf "$dest"
  mv "$part" "$dest" || fail "cannot move the backup into place"
  # Keep the newest KEEP backups of this cluster (names sort by their UTC timestamp).
  prefix="${4%-*}"
  for d in "$3"/*; do
    case "$(basename "$d")" in
      "$prefix"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) echo "$d" ;;
    esac
  done | sort -r | tail -n +"$(($5 + 1))" | while IFS= read -r old; do rm -rf "$old"; done
  out path "$3/$4"
  out files "$n"
  out bytes "$bytes"
}
