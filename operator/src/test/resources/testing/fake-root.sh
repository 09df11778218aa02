#!/bin/sh
# Test only (never shipped): makes a fake node tree this process's / for the node scripts. Runs in
# a mount and UTS namespace of its own (unshare --mount --uts --propagation private, see FakeRoot),
# so nothing it mounts or names reaches the host: ROOT's etc, var, run, home, root, srv and opt
# become the namespace's /etc, /var, /run, /home, /root, /srv and /opt; /usr, /bin, /tmp and the
# rest stay the host's. Then runs the remaining arguments.
#
# Arguments: ROOT HOSTNAME COMMAND [ARG...]
set -eu
root=$1
name=$2
shift 2
case "$root" in /?*) ;; *) echo "fake-root.sh: ROOT must be an absolute path other than /" >&2; exit 2 ;; esac
# The host's tools reach a few things through /etc: Debian's alternatives links (awk is one).
mkdir -p "$root/etc/alternatives"
mount --bind /etc/alternatives "$root/etc/alternatives"
for d in etc var run home root srv opt; do
  mkdir -p "$root/$d"
  mount --rbind "$root/$d" "/$d"
done
hostname "$name"
exec "$@"
