#!/bin/sh
# The mesos-operator demo on one machine, as root (Debian/Ubuntu): a real Kubernetes control
# plane on loopback (etcd, kube-apiserver, kube-controller-manager, built from source by
# hack/build-control-plane.sh), the operator as the shipped jar, and a 3 + 3 Mesos cluster
# (examples/local.yaml) on network namespaces of this host, driven with kubectl. Mesos and
# Marathon there are TEST STAND-INS (Debian has no Mesos packages); ZooKeeper, sshd and
# everything the operator writes are real.
#
#   sudo ./demo.sh                      # examples/local.yaml
#   sudo ./demo.sh -f my-cluster.yaml   # any MesosCluster with provider: local
#   sudo ./demo.sh --dir /tmp/mesos-operator-demo
#
# Ctrl-C (or TERM) deletes the cluster, waits until its machines are gone, stops the operator
# and the control plane, and checks that no process, namespace, mount, veth or bridge is left.
# MVN_OPTS_DEMO=-o builds offline.
set -eu
cd "$(dirname "$0")"
root=$PWD

file=examples/local.yaml
dir=/tmp/mesos-operator-demo
while [ $# -gt 0 ]; do
  case "$1" in
  -f | --file) file=$2; shift 2 ;;
  --dir) dir=$2; shift 2 ;;
  *) echo "usage: $0 [-f FILE] [--dir DIR]" >&2; exit 2 ;;
  esac
done
case "$file" in /*) ;; *) file="$root/$file" ;; esac

if [ "$(id -u)" != 0 ]; then
  echo "demo.sh: run as root (the local machines are network namespaces)" >&2
  exit 1
fi
step() { printf '\n%s demo: %s\n' "$(date +%H:%M:%S)" "$*"; }

step "packages the local machines need (sshd, ZooKeeper, iproute2, ...)"
sh .ci/install-packages.sh
need=""
command -v mvn >/dev/null 2>&1 || need="$need maven"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v curl >/dev/null 2>&1 || need="$need curl"
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

step "etcd, kube-apiserver, kube-controller-manager and kubectl (built once, reused after)"
sh hack/build-control-plane.sh
. hack/control-plane.env
: "${KUBE_API_TEST_DIR:=$HOME/.kubeapitest}"
kubectl_bin="$KUBE_API_TEST_DIR/k8s/$KUBERNETES_VERSION-linux-amd64/kubectl"

step "the operator's jar (and the test stand-ins' classes)"
MVN="mvn -B -q ${MVN_OPTS_DEMO:-}"
$MVN -DskipTests package
CP_FILE=operator/target/demo-classpath.txt
$MVN -pl operator org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$root/$CP_FILE"

mkdir -p "$dir"
state="$dir/state"
cpdir="$dir/control-plane"
export KUBECONFIG="$cpdir/kubeconfig"
kc() { "$kubectl_bin" --request-timeout=20s "$@"; }
operator_pid=""
standins_pid=""
name=""
ns=""

bridge_of() {  # bridge_of CIDR: the local provider's bridge name for a range (mob<hex><prefix>)
  ip=${1%/*}
  prefix=${1#*/}
  # shellcheck disable=SC2046
  set -- $(echo "$ip" | tr . ' ')
  n=$((($1 << 24) + ($2 << 16) + ($3 << 8) + $4))
  n=$((n & (0xffffffff << (32 - prefix)) & 0xffffffff))
  printf 'mob%08x%02d' "$n" "$prefix"
}

stopping=""
cleanup() {
  [ -z "$stopping" ] || return 0
  stopping=1
  trap '' INT TERM
  machines=$(ls "$state" 2>/dev/null | grep '^lm-' || true)
  bridge=""
  if [ -n "$name" ]; then
    cidr=$("$kubectl_bin" -n "$ns" get mesoscluster "$name" \
      -o jsonpath='{.spec.cloud.network.cidr}' 2>/dev/null || true)
    [ -z "$cidr" ] || bridge=$(bridge_of "$cidr")
    step "stopping: deleting the cluster, waiting until its machines are gone"
    # kubectl waits while the operator's finalizer destroys the machines.
    "$kubectl_bin" -n "$ns" delete mesoscluster "$name" --ignore-not-found --timeout=180s || true
  fi
  for pid in $standins_pid $operator_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $standins_pid $operator_pid; do
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
  done
  step "stopping the control plane"
  sh "$root/hack/control-plane.sh" stop "$cpdir"
  rm -f "$dir"/*-admin-key
  # What must be gone: the processes, the machines' namespaces and veths, the cluster's bridge,
  # mounts under the state directory.
  left=""
  for pid in $standins_pid $operator_pid; do
    kill -0 "$pid" 2>/dev/null && left="$left process:$pid"
  done
  netns=$(ip netns list 2>/dev/null || true)
  links=$(ip -o link show 2>/dev/null || true)
  for m in $machines; do
    [ ! -e "$state/$m" ] || left="$left state:$m"
    echo "$netns" | grep -q "^$m\b" && left="$left netns:$m"
    echo "$links" | grep -q ": lmh${m#lm-}[@:]" && left="$left veth:lmh${m#lm-}"
  done
  if [ -n "$bridge" ] && echo "$links" | grep -q ": $bridge:"; then left="$left bridge:$bridge"; fi
  grep -q " $state/" /proc/self/mounts && left="$left mounts-under-$state"
  echo "demo: machines were: $(echo $machines); bridge: ${bridge:-none}"
  if [ -n "$left" ]; then
    echo "demo: LEFT BEHIND:$left" >&2
    exit 1
  fi
  echo "demo: cluster, machines, operator and control plane gone; nothing left behind"
  exit 0
}
trap cleanup INT TERM EXIT

step "the control plane on 127.0.0.1"
sh hack/control-plane.sh start "$cpdir"

step "the CRDs"
kc apply --server-side -f crds/
kc wait --for=condition=Established --timeout=60s \
  crd/mesosclusters.mesosoperator.io crd/mesosnodes.mesosoperator.io

step "the operator: java -jar operator/target/mesos-operator.jar run"
java -jar operator/target/mesos-operator.jar run --local-state-dir "$state" --resync PT10S \
  --health-port 18090 --metrics-port 18091 >"$dir/operator.log" 2>&1 &
operator_pid=$!
echo "operator pid $operator_pid, log $dir/operator.log"

step "TEST STAND-INS for Mesos and Marathon put into each new machine (a demo step, not the operator)"
java -Dproject.root="$root" \
  -cp "operator/target/test-classes:operator/target/classes:$(cat "$CP_FILE")" \
  io.mesosoperator.e2e.DemoStandIns "$state" >"$dir/standins.log" 2>&1 &
standins_pid=$!
echo "stand-in installer pid $standins_pid, log $dir/standins.log"

step "kubectl apply -f $file"
ns=$(kc create --dry-run=client -o jsonpath='{.metadata.namespace}' -f "$file")
[ -n "$ns" ] || ns=default
kc get namespace "$ns" >/dev/null 2>&1 || kc create namespace "$ns"
kc -n "$ns" apply -f "$file"
name=$(kc -n "$ns" create --dry-run=client -o jsonpath='{.metadata.name}' -f "$file")

k="$kubectl_bin --kubeconfig $KUBECONFIG -n $ns"
cat <<EOF

kubeconfig: $KUBECONFIG
Try, from another terminal:
  $k get mesosclusters,mesosnodes
  $k get mesoscluster $name -w
  $k wait --for=condition=Ready mesoscluster/$name --timeout=5m
  $k describe mesoscluster $name
  $k explain mesoscluster.spec.roles
Ctrl-C here deletes the cluster, waits for its machines to go, and stops everything.
EOF

step "waiting for Ready"
if kc -n "$ns" wait --for=condition=Ready "mesoscluster/$name" --timeout=300s; then
  kc -n "$ns" get mesoscluster "$name"
  kc -n "$ns" get mesosnodes
  leader=$(kc -n "$ns" get mesoscluster "$name" -o jsonpath='{.status.mesosLeader}')
  marathon=$(kc -n "$ns" get mesoscluster "$name" -o jsonpath='{.status.marathonLeader}')
  cat <<EOF

Mesos leader:    http://$leader      (curl http://$leader/metrics/snapshot)
Marathon leader: http://$marathon      (curl http://$marathon/v2/apps)
Mesos and Marathon on these nodes are TEST STAND-INS (no binaries exist for Debian).
EOF
else
  echo "demo: not Ready within 300 s; see $dir/operator.log" >&2
fi
echo "running; Ctrl-C (or kill -TERM $$) stops and cleans up"
while kill -0 "$operator_pid" 2>/dev/null; do sleep 1; done
echo "demo: the operator exited; see $dir/operator.log" >&2
