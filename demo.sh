#!/bin/sh
# The mesos-operator demo on one machine, as root (Debian/Ubuntu): an in-process Kubernetes API
# that real kubectl can talk to, the operator, and a 3 + 3 Mesos cluster (examples/local.yaml) on
# network namespaces of this host. Mesos and Marathon there are TEST STAND-INS (Debian has no
# Mesos packages); ZooKeeper, sshd and everything the operator writes are real.
#
#   sudo ./demo.sh                      # examples/local.yaml
#   sudo ./demo.sh -f my-cluster.yaml   # any MesosCluster with provider: local
#   sudo ./demo.sh --port 16443 --dir /tmp/mesos-operator-demo
#
# Ctrl-C deletes the cluster, waits until its machines are gone, and exits.
# MVN_OPTS_DEMO=-o builds offline.
set -eu
cd "$(dirname "$0")"

if [ "$(id -u)" != 0 ]; then
  echo "demo.sh: run as root (the local machines are network namespaces)" >&2
  exit 1
fi

# What the local machines need (sshd, ZooKeeper, iproute2, ...).
sh .ci/install-packages.sh

need=""
command -v mvn >/dev/null 2>&1 || need="$need maven"
if ! command -v java >/dev/null 2>&1 \
  || ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
  need="$need openjdk-17-jdk-headless"
fi
if [ -n "$need" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q $need
fi

MVN="mvn -B -q ${MVN_OPTS_DEMO:-}"
# Main and test classes (the demo, the harness and the stand-ins live in test scope).
$MVN -DskipTests test-compile
CP_FILE=operator/target/demo-classpath.txt
$MVN -pl operator org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$CP_FILE"

# exec: Ctrl-C (SIGINT) goes straight to the JVM, whose shutdown hook cleans up.
exec java -Dproject.root="$PWD" \
  -cp "operator/target/test-classes:operator/target/classes:$(cat "$CP_FILE")" \
  io.mesosoperator.e2e.Demo "$@"
