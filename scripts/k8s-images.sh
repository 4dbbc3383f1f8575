#!/usr/bin/env bash
# Builds the images the node tier (scripts/k8s-node.sh) runs besides the project's own (scripts/docker.sh), offline and
# without a registry, tagged phishnet/<name>:dev in the dockerd of scripts/docker.sh. Idempotent: an image is rebuilt
# only when its inputs changed (label io.phishnet.key).
#   phishnet/pause:dev       the pod sandbox: docker/node/pause.c built with `gcc -static`, FROM scratch
#   phishnet/coredns:dev     the CoreDNS binary of scripts/k8s-binaries.sh, FROM scratch
#   phishnet/redis:dev       Debian's redis-server, FROM the offline minbase (docker/node/Dockerfile.redis)
#   phishnet/prometheus:dev  Prometheus with Kubernetes discovery (scripts/k8s-binaries.sh; Debian's lacks it) on the
#                            offline minbase (docker/node/Dockerfile.prometheus)
#   bash scripts/k8s-images.sh           build what is missing or stale
#   bash scripts/k8s-images.sh --list    print the image names the node tier loads (the project's and these)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=1
SRC="$ROOT/docker/node"
IMAGES=(phishnet/pause:dev phishnet/coredns:dev phishnet/redis:dev phishnet/prometheus:dev)
if [ "${1:-}" = --list ]; then
  printf '%s\n' phishnet/inference:dev phishnet/gateway:dev phishnet/operator:dev "${IMAGES[@]}"; exit 0
fi
STATE="${PHISHNET_DOCKER_STATE:-$ROOT/.cache/docker}"
mkdir -p "$STATE"
bash "$ROOT/scripts/docker.sh" --base-only >&2

label() { "$DOCKER" image inspect --format '{{index .Config.Labels "io.phishnet.key"}}' "$1" 2>/dev/null || true; }
# build NAME KEY-INPUTS... — context: a temp dir holding the Dockerfile and the files copied in by the caller ($ctx).
build() {
  local tag="$1" df="$2" key="$3"
  if [ "$(label "$tag")" = "$key" ]; then log "$tag up to date"; return 0; fi
  log "docker build $tag"
  local s=$SECONDS
  cp "$df" "$ctx/Dockerfile"
  "$DOCKER" build --progress plain --label "io.phishnet.key=$key" -t "$tag" "$ctx" > "$STATE/build-${tag//[\/:]/_}.log" 2>&1 \
    || { log "build of $tag failed; last lines:"; tail -30 "$STATE/build-${tag//[\/:]/_}.log" >&2; exit 1; }
  log "  $tag built in $((SECONDS - s)) s"
}
ctx="$(mktemp -d /var/tmp/phishnet-node-images.XXXXXX)"
trap 'rm -rf "$ctx"' EXIT

key="$(cat "$SRC/pause.c" "$SRC/Dockerfile.pause" | sha256sum | cut -c1-16)"
if [ "$(label phishnet/pause:dev)" != "$key" ]; then gcc -static -O2 -s -o "$ctx/pause" "$SRC/pause.c"; fi
build phishnet/pause:dev "$SRC/Dockerfile.pause" "$key"; rm -f "$ctx"/*


base_id="$("$DOCKER" image inspect --format '{{.Id}}' phishnet/debian-minbase:bookworm)"
key="$(cat <(echo "$base_id") "$SRC/Dockerfile.redis" | sha256sum | cut -c1-16)"
build phishnet/redis:dev "$SRC/Dockerfile.redis" "$key"; rm -f "$ctx"/*
bin_of() { bash "$ROOT/scripts/k8s-binaries.sh" --print | awk -v n="$1" '$1 == n {print $2}' || true; }
prometheus="$(bin_of prometheus)"
[ -x "$prometheus" ] || { log "prometheus missing ($prometheus): run bash scripts/k8s-binaries.sh"; exit 1; }
key="$(cat <(echo "$base_id") "$prometheus" "$SRC/Dockerfile.prometheus" | sha256sum | cut -c1-16)"
cp "$prometheus" "$ctx/prometheus"
build phishnet/prometheus:dev "$SRC/Dockerfile.prometheus" "$key"; rm -f "$ctx"/*
coredns="$(bin_of coredns)"
[ -x "$coredns" ] || { log "coredns missing ($coredns): run bash scripts/k8s-binaries.sh"; exit 1; }
key="$(cat "$coredns" "$SRC/Dockerfile.coredns" | sha256sum | cut -c1-16)"
cp "$coredns" "$ctx/coredns"
build phishnet/coredns:dev "$SRC/Dockerfile.coredns" "$key"; rm -f "$ctx"/*
"$DOCKER" image prune -f >/dev/null
