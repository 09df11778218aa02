#!/bin/sh
# PID 1 of one local-provider machine. The provider starts it inside the machine's network
# namespace and fresh UTS, IPC, PID and mount namespaces (unshare --mount-proc), so every
# mount below is private to the machine and goes away with its last process.
#
# Arguments (validated by the provider): state dir, state root, hostname, address.
set -eu
state=$1
state_root=$2
node=$3
addr=$4

hostname "$node"

# Read the state before any mount hides or shadows it (it may live under /var or /tmp).
first_boot=yes
[ -e "$state/booted" ] && first_boot=no
keys=""
[ -f "$state/authorized_keys" ] && keys=$(cat "$state/authorized_keys")

# The machine's own view of the network in /sys (as `ip netns exec` does).
umount -l /sys 2>/dev/null || true
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /sys

# /root and /home start empty, as on a fresh cloud machine: nothing of the host's (its dotfiles
# would run in every SSH command of the machine). They live in the state dir, so they persist
# across reboots like the overlays' upper dirs. Before /var: the state dir may be under /var.
for d in root home; do
  if [ -d "/$d" ] && [ ! -L "/$d" ]; then
    mkdir -p "$state/disk/$d"
    mount --bind "$state/disk/$d" "/$d"
  fi
done
chmod 0700 /root

# Copy-on-write copies of the host's system trees (the machine's image). /var last: the upper
# dirs live under /var.
for d in etc usr opt srv var; do
  if [ -d "/$d" ] && [ ! -L "/$d" ]; then
    mkdir -p "$state/upper/$d" "$state/work/$d"
    mount -t overlay overlay \
      -o "lowerdir=/$d,upperdir=$state/upper/$d,workdir=$state/work/$d" "/$d"
  fi
done
mount -t tmpfs -o mode=0755,nosuid,nodev,size=64m tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
mkdir -p /run/lock /run/sshd
chmod 1777 /run/lock

if [ "$first_boot" = yes ]; then
  # First boot: a machine identity of its own, nothing of the host's secrets.
  rm -f /etc/ssh/ssh_host_*
  ssh-keygen -q -t ed25519 -N '' -C "root@$node" -f /etc/ssh/ssh_host_ed25519_key
  mkdir -p /etc/ssh/sshd_config.d
  cat >/etc/ssh/sshd_config.d/00-mesos-operator-local.conf <<CONF
# Written by the mesos-operator local provider at first boot.
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
CONF
  mkdir -p /root/.ssh
  chmod 0700 /root/.ssh
  # Only the provider's key: the host's own authorized keys must not open the machine.
  if [ -n "$keys" ]; then
    printf '%s\n' "$keys" >/root/.ssh/authorized_keys
  else
    : >/root/.ssh/authorized_keys
  fi
  chmod 0600 /root/.ssh/authorized_keys
  echo "$node" >/etc/hostname
  printf '127.0.0.1\tlocalhost\n%s\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    "$addr" "$node" >/etc/hosts
  tr -d '-' </proc/sys/kernel/random/uuid >/etc/machine-id
fi

# The machine must not see the provider's state (other machines' keys live there).
# (The provider marks the first boot done once sshd answers.)
if [ -d "$state_root" ]; then
  mount -t tmpfs -o mode=0700,size=1m tmpfs "$state_root"
fi

/etc/init.d/ssh start </dev/null

# Stay as a reaping init: orphans are re-parented to PID 1.
exec perl -e '$0 = "mesos-operator-local-init"; while (1) { sleep 1 if wait() == -1 }'
