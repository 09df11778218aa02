#!/bin/sh
# Installs what the real-node integration tests (local machine provider) need on a
# Debian bookworm host. Run as root. Idempotent.
#
# A policy-rc.d that refuses every start is put in place first, so that installing the
# packages does not start the host's own sshd or ZooKeeper: the tests start them only
# inside their own network namespaces. It is removed again only if this script made it.
set -eu

if [ "$(id -u)" != 0 ]; then
  echo "install-packages.sh: must run as root" >&2
  exit 1
fi

PACKAGES="iproute2 util-linux procps openssh-server openssh-client zookeeper zookeeperd \
netcat-openbsd sudo chrony curl nftables"

POLICY=/usr/sbin/policy-rc.d
created_policy=no
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# made by .ci/install-packages.sh: no service starts while installing\nexit 101\n' >"$POLICY"
  chmod 0755 "$POLICY"
  created_policy=yes
fi
cleanup() {
  if [ "$created_policy" = yes ]; then
    rm -f "$POLICY"
  fi
}
trap cleanup EXIT INT TERM

export DEBIAN_FRONTEND=noninteractive
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi

for b in ip unshare nsenter sshd ssh-keygen nc curl nft; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || {
    echo "install-packages.sh: $b still missing" >&2
    exit 1
  }
done
[ -x /etc/init.d/zookeeper ] || { echo "install-packages.sh: /etc/init.d/zookeeper missing" >&2; exit 1; }
echo "install-packages.sh: ready"
