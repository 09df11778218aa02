#!/bin/sh
# Builds hack/readiness (kstatus from sigs.k8s.io/cli-utils and Argo CD's way of running a health
# Lua with gopher-lua; versions pinned in hack/readiness/go.mod) into
# $KUBE_API_TEST_DIR/tools/readiness. Nothing is written into the checkout. A second run with the
# same sources finds the binary by their digest and returns at once.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${KUBE_API_TEST_DIR:=$HOME/.kubeapitest}"
out="$KUBE_API_TEST_DIR/tools"
export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
log() { printf '%s build-readiness: %s\n' "$(date +%H:%M:%S)" "$*"; }
start=$(date +%s)
digest=$(cat "$here/readiness/go.mod" "$here/readiness/go.sum" "$here/readiness/main.go" | sha256sum | cut -c1-16)
if [ -x "$out/readiness" ] && [ "$(cat "$out/readiness.digest" 2>/dev/null)" = "$digest" ]; then
  log "$out/readiness is built from these sources ($digest): reused ($(( $(date +%s) - start )) s)"
  exit 0
fi
mkdir -p "$out"
log "building $out/readiness from hack/readiness ($digest)"
cd "$here/readiness"
go build -trimpath -ldflags='-s -w' -o "$out/readiness.new" .
mv "$out/readiness.new" "$out/readiness"
printf '%s\n' "$digest" > "$out/readiness.digest"
log "built in $(( $(date +%s) - start )) s"
