#!/bin/sh
# A Kubernetes control plane on loopback, as the tests' fixture (operator/src/test/java/
# io/mesosoperator/testing/ControlPlane.java) runs it: etcd, kube-apiserver and
# kube-controller-manager (garbage collector, namespace and clusterrole-aggregation controllers),
# with the binaries hack/build-control-plane.sh built.
#
#   hack/control-plane.sh start DIR   # certificates, data, logs, PIDs and DIR/kubeconfig in DIR
#   hack/control-plane.sh stop DIR    # stops the three processes by their PIDs, removes the data
#
# Ports (127.0.0.1 only): CP_API_PORT (16443), CP_ETCD_PORT (16379, peer +1), CP_KCM_PORT (16257).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/control-plane.env"
: "${KUBE_API_TEST_DIR:=$HOME/.kubeapitest}"
bin="$KUBE_API_TEST_DIR/k8s/$KUBERNETES_VERSION-linux-amd64"
: "${CP_API_PORT:=16443}" "${CP_ETCD_PORT:=16379}" "${CP_KCM_PORT:=16257}"
log() { printf '%s control-plane: %s\n' "$(date +%H:%M:%S)" "$*"; }

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

stop_one() {  # stop_one NAME: TERM by PID, KILL after 15 s
  f="$dir/$1.pid"
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 75 ]; do sleep 0.2; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$f"
}

start_one() {  # start_one NAME ARGV...: in the background, its own session, log and PID file
  name=$1
  shift
  setsid "$@" >>"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
  log "started $name (pid $!), log $dir/$name.log"
}

await() {  # await WHAT NAME CHECK...: polls CHECK for up to 60 s while NAME lives
  what=$1
  name=$2
  shift 2
  i=0
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
      log "$name exited; its log ends:"
      tail -n 15 "$dir/$name.log" >&2
      exit 1
    fi
    i=$((i + 1))
    if [ $i -gt 300 ]; then
      log "$what: not within 60 s"
      exit 1
    fi
    sleep 0.2
  done
}

case "$cmd" in
stop)
  for p in kube-controller-manager kube-apiserver etcd; do stop_one "$p"; done
  rm -rf "$dir/etcd" "$dir/apiserver-certs"
  exit 0
  ;;
start) ;;
*) usage ;;
esac

for b in etcd-server kube-apiserver kube-controller-manager kubectl; do
  [ -x "$bin/$b" ] || { log "$bin/$b missing: run hack/build-control-plane.sh"; exit 1; }
done
mkdir -p "$dir"
chmod 0700 "$dir"
t0=$(date +%s)

# Certificates: the apiserver's (127.0.0.1) and a system:masters client, each self-signed; the
# client certificate is its own CA, as the tests' fixture has it.
if [ ! -f "$dir/apiserver.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=kube-apiserver \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/apiserver.key" -out "$dir/apiserver.crt" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/O=system:masters/CN=admin" \
    -keyout "$dir/client.key" -out "$dir/client.crt" 2>/dev/null
fi
kubeconfig() {  # kubeconfig [AS]
  cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mesos-operator-demo
  cluster:
    server: https://127.0.0.1:$CP_API_PORT
    certificate-authority: $dir/apiserver.crt
contexts:
- name: mesos-operator-demo
  context:
    cluster: mesos-operator-demo
    user: admin
    namespace: default
current-context: mesos-operator-demo
users:
- name: admin
  user:
    client-certificate: $dir/client.crt
    client-key: $dir/client.key
EOF
  if [ $# -gt 0 ]; then
    printf '    as: %s\n    as-groups: ["system:masters"]\n' "$1"
  fi
}
(umask 077 && kubeconfig >"$dir/kubeconfig" && kubeconfig system:kube-controller-manager >"$dir/kcm.kubeconfig")

etcd_url="http://127.0.0.1:$CP_ETCD_PORT"
peer_url="http://127.0.0.1:$((CP_ETCD_PORT + 1))"
start_one etcd "$bin/etcd-server" --name=default --data-dir="$dir/etcd" \
  --listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
  --listen-peer-urls="$peer_url" --initial-advertise-peer-urls="$peer_url" \
  --initial-cluster="default=$peer_url" --listen-metrics-urls= --log-level=warn
await "etcd healthy on $etcd_url" etcd sh -c "curl -fsS --noproxy '*' $etcd_url/health | grep -q '\"true\"'"

start_one kube-apiserver "$bin/kube-apiserver" --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 --endpoint-reconciler-type=none --secure-port="$CP_API_PORT" \
  --etcd-servers="$etcd_url" --cert-dir="$dir/apiserver-certs" \
  --tls-cert-file="$dir/apiserver.crt" --tls-private-key-file="$dir/apiserver.key" \
  --client-ca-file="$dir/client.crt" --authorization-mode=RBAC \
  --service-account-issuer="https://127.0.0.1:$CP_API_PORT" \
  --service-account-signing-key-file="$dir/apiserver.key" \
  --service-account-key-file="$dir/apiserver.key" \
  --disable-admission-plugins=ServiceAccount --service-cluster-ip-range=10.0.0.0/24
await "kube-apiserver ready on 127.0.0.1:$CP_API_PORT" kube-apiserver \
  "$bin/kubectl" --kubeconfig "$dir/kubeconfig" get --raw /readyz

start_one kube-controller-manager "$bin/kube-controller-manager" \
  --kubeconfig="$dir/kcm.kubeconfig" \
  --controllers=garbagecollector,namespace,clusterrole-aggregation --leader-elect=false \
  --use-service-account-credentials=false --bind-address=127.0.0.1 --secure-port="$CP_KCM_PORT"
await "kube-controller-manager healthy" kube-controller-manager \
  curl -fsSk --noproxy '*' "https://127.0.0.1:$CP_KCM_PORT/healthz"

log "up in $(($(date +%s) - t0)) s: https://127.0.0.1:$CP_API_PORT, kubeconfig $dir/kubeconfig"
