#!/bin/sh
# Builds kube-apiserver, kube-controller-manager and kubectl (Kubernetes $KUBERNETES_VERSION)
# and etcd ($ETCD_VERSION) from the Go module proxy into the layout fabric8's kube-api-test
# reads: $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64/. Nothing is written into the checkout.
# A second run finds the binaries at the wanted version and returns in seconds.
#
# kubernetes' module requires its staging modules at v0.0.0 and replaces them with ./staging
# paths its zip does not hold, so `go install` is refused; a wrapper module replaces each
# staging module with its published v0.<minor>.<patch> instead (etcd's server likewise).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/control-plane.env"
: "${KUBE_API_TEST_DIR:=$HOME/.kubeapitest}"
out="$KUBE_API_TEST_DIR/k8s/$KUBERNETES_VERSION-linux-amd64"
work="$KUBE_API_TEST_DIR/build"
minor=${KUBERNETES_VERSION#*.}; minor=${minor%%.*}
patch=${KUBERNETES_VERSION##*.}
staging="v0.$minor.$patch"
export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
log() { printf '%s build-control-plane: %s\n' "$(date +%H:%M:%S)" "$*"; }

have() {  # have BINARY VERSION-STRING: the binary exists and reports that version
  [ -x "$out/$1" ] && "$out/$1" --version 2>/dev/null | grep -q -- "$2"
}

start=$(date +%s)
mkdir -p "$out" "$work"

if have kube-apiserver "v$KUBERNETES_VERSION" && have kube-controller-manager "v$KUBERNETES_VERSION" \
  && [ -x "$out/kubectl" ] && "$out/kubectl" version --client 2>/dev/null | grep -q "v$KUBERNETES_VERSION" \
  && [ -x "$out/etcd-server" ] && "$out/etcd-server" --version 2>/dev/null | grep -q "$ETCD_VERSION" \
  && [ -x "$out/etcd" ]; then
  log "Kubernetes v$KUBERNETES_VERSION and etcd $ETCD_VERSION already built in $out: reused ($(( $(date +%s) - start )) s)"
  exit 0
fi

# --- Kubernetes -----------------------------------------------------------------------------
k8s="$work/kubernetes-$KUBERNETES_VERSION"
mkdir -p "$k8s"
cd "$k8s"
if [ ! -f go.mod ]; then
  log "resolving k8s.io/kubernetes v$KUBERNETES_VERSION"
  gomod=$(go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" \
    | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  {
    echo "module mesosoperator.io/controlplane"
    echo
    grep -E '^(go|godebug) ' "$gomod"
    echo
    echo "require k8s.io/kubernetes v$KUBERNETES_VERSION"
    echo
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#replace \1 => \1 '"$staging"'#p' "$gomod"
  } > go.mod.new
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  mv go.mod.new go.mod
  log "$(grep -c '^replace' go.mod) staging modules pinned at $staging; downloading modules"
  go mod tidy -e >/dev/null 2>&1 || true
  go mod download
fi
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags="$ldflags -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1"
  ldflags="$ldflags -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
done
for cmd in kube-apiserver kube-controller-manager kubectl; do
  if [ "$cmd" = kubectl ]; then
    ok() { [ -x "$out/kubectl" ] && "$out/kubectl" version --client 2>/dev/null | grep -q "v$KUBERNETES_VERSION"; }
  else
    ok() { have "$cmd" "v$KUBERNETES_VERSION"; }
  fi
  if ok; then log "$cmd v$KUBERNETES_VERSION: reused"; continue; fi
  t=$(date +%s)
  log "building $cmd v$KUBERNETES_VERSION (a cold build takes minutes on 2 cores)"
  go build -trimpath -ldflags "$ldflags" -o "$out/$cmd.new" "k8s.io/kubernetes/cmd/$cmd"
  mv "$out/$cmd.new" "$out/$cmd"
  log "built $cmd in $(( $(date +%s) - t )) s"
done

# --- etcd -----------------------------------------------------------------------------------
etcdw="$work/etcd-$ETCD_VERSION"
mkdir -p "$etcdw"
cd "$etcdw"
if ! { [ -x "$out/etcd-server" ] && "$out/etcd-server" --version 2>/dev/null | grep -q "$ETCD_VERSION"; }; then
  if [ ! -f go.mod ]; then
    gomod=$(go mod download -json "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" \
      | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
    {
      echo "module mesosoperator.io/etcd"
      echo
      grep -E '^go ' "$gomod"
      echo
      echo "require go.etcd.io/etcd/server/v3 v$ETCD_VERSION"
      echo
      sed -n 's#^[[:space:]]*\(go.etcd.io/etcd/[a-z0-9/]*\) => \.\./.*#replace \1 => \1 v'"$ETCD_VERSION"'#p' "$gomod"
    } > go.mod
    cat > tools.go <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
    go mod tidy -e >/dev/null 2>&1 || true
  fi
  t=$(date +%s)
  log "building etcd $ETCD_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$out/etcd-server.new" go.etcd.io/etcd/server/v3
  mv "$out/etcd-server.new" "$out/etcd-server"
  log "built etcd in $(( $(date +%s) - t )) s"
fi
# kube-api-test starts etcd on 0.0.0.0 and takes no etcd flags: this wrapper keeps it on loopback.
cat > "$out/etcd.new" <<SH
#!/bin/sh
# Installed by mesos-operator's hack/build-control-plane.sh: etcd on loopback only.
dir=\$(dirname "\$0")
for a in "\$@"; do
  shift
  set -- "\$@" "\$(printf '%s' "\$a" | sed 's#0\.0\.0\.0#127.0.0.1#g')"
done
exec "\$dir/etcd-server" "\$@"
SH
chmod +x "$out/etcd.new"
mv "$out/etcd.new" "$out/etcd"
log "Kubernetes v$KUBERNETES_VERSION and etcd $ETCD_VERSION ready in $out ($(( $(date +%s) - start )) s)"
