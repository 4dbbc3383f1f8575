#!/usr/bin/env bash
# Docker without a registry, for the containers test tier. Idempotent; fast when everything is already there.
#   bash scripts/docker.sh                 install docker.io, start dockerd, build the base stand-in, build every
#                                          project image (phishnet/<component>:dev, targets of the root Dockerfile)
#   bash scripts/docker.sh --daemon-only   only install + start dockerd
#   bash scripts/docker.sh --base-only     ... and the offline `node:24-bookworm-slim` stand-in
#   bash scripts/docker.sh --stop          stop the dockerd this script started (by its pidfile)
#   bash scripts/docker.sh inference ...   build only the named components
# Nothing can be pulled here: the base is a debootstrap'd Debian bookworm minbase root filesystem, imported with
# `docker import` and topped with the Node 24 binary from .tools/node and the host's npm 11 (docker/node-base/).
# It is tagged `node:24-bookworm-slim`, the name the project's Dockerfile uses, so it builds unchanged.
# This machine reaches the npm registry through a TLS-intercepting egress proxy: the stand-in trusts the host's CA
# bundle (NODE_EXTRA_CA_CERTS) so `npm ci` inside builds works; `apt-get` uses the plain-HTTP Debian mirror.
# Env: PHISHNET_DOCKER_STATE (default $ROOT/.cache/docker): dockerd pidfile + log.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="${PHISHNET_DOCKER_STATE:-$ROOT/.cache/docker}"
PIDFILE="$STATE/dockerd.pid"
SOCK=/var/run/docker.sock
BASE_TAG="node:24-bookworm-slim"
MINBASE_TAG="phishnet/debian-minbase:bookworm"
COMPONENTS=(inference gateway operator)
# The docker.io package's own client (20.10) matches its daemon and has BuildKit built in; a newer client
# elsewhere on PATH (e.g. /usr/local/bin/docker 28) needs the buildx plugin, which is not installed.
DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=1

mode=all; only=()
for a in "$@"; do
  case "$a" in
    --daemon-only) mode=daemon;; --base-only) mode=base;; --stop) mode=stop;;
    inference|gateway|operator) only+=("$a");;
    *) log "unknown argument $a"; exit 2;;
  esac
done
[ "${#only[@]}" -gt 0 ] && COMPONENTS=("${only[@]}")

t0=$SECONDS
timed() { local s=$SECONDS; "$@"; log "  took $((SECONDS - s)) s"; }
mkdir -p "$STATE"

if [ "$mode" = stop ]; then
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    pid="$(cat "$PIDFILE")"; log "stopping dockerd (pid $pid)"; kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  else log "no dockerd started by this script is running"; fi
  exit 0
fi

# 1. Debian packages: docker.io (dockerd, containerd, runc, client) and debootstrap for the base image.
install_packages() {
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io debootstrap; } > "$STATE/apt.log" 2>&1 \
    || { log "apt-get failed; last lines of $STATE/apt.log:"; tail -20 "$STATE/apt.log" >&2; exit 1; }
}
if ! [ -x /usr/sbin/dockerd ] || ! [ -x "$DOCKER" ] || ! command -v debootstrap >/dev/null; then
  log "apt-get install docker.io debootstrap"; timed install_packages
fi

# 2. dockerd in the background (policy-rc.d keeps the package from starting it). Reuse a running daemon.
start_daemon() {
  log "starting dockerd (log $STATE/dockerd.log)"
  setsid nohup /usr/sbin/dockerd --pidfile "$PIDFILE" >"$STATE/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 150); do
    if [ -S "$SOCK" ] && "$DOCKER" info >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "dockerd did not become ready in 30 s; last log lines:"; tail -20 "$STATE/dockerd.log" >&2; exit 1
}
if ! "$DOCKER" info >/dev/null 2>&1; then timed start_daemon; fi
log "dockerd ready: $("$DOCKER" version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
[ "$mode" = daemon ] && exit 0

# 3. The base stand-in. Its key covers everything that goes into it; a different key rebuilds it.
[ -x "$NODE24" ] || bash "$ROOT/scripts/bootstrap.sh"   # Node 24 in .tools/node (copied into the image)
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
node_version="$("$NODE24" --version)"
npm_version="$("$NODE24" -p "require('$npm_dir/package.json').version")"
host_ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
[ -f "$host_ca" ] || host_ca=/dev/null
base_key="$(cat <(printf '%s\n' "$node_version" "$npm_version") "$ROOT/docker/node-base/Dockerfile" "$host_ca" | sha256sum | cut -c1-16)"

image_label() { "$DOCKER" image inspect --format "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }

build_minbase() {
  local mirror dir
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  dir="$(mktemp -d /var/tmp/phishnet-minbase.XXXXXX)"
  log "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$dir/rootfs" "$mirror" > "$STATE/debootstrap.log" 2>&1 \
    || { tail -20 "$STATE/debootstrap.log" >&2; rm -rf "$dir"; exit 1; }
  rm -rf "$dir/rootfs/var/cache/apt/archives/"*.deb "$dir/rootfs/var/lib/apt/lists/"*
  tar -C "$dir/rootfs" -c . | "$DOCKER" import --change 'CMD ["bash"]' - "$MINBASE_TAG" >/dev/null
  rm -rf "$dir"
}
build_base() {
  local ctx
  ctx="$(mktemp -d /var/tmp/phishnet-node-base.XXXXXX)"
  cp "$ROOT/docker/node-base/Dockerfile" "$ctx/"
  cp "$NODE24" "$ctx/node"
  cp -a "$npm_dir" "$ctx/npm"
  cp "$host_ca" "$ctx/host-ca.crt"
  log "building $BASE_TAG stand-in (node $node_version, npm $npm_version)"
  "$DOCKER" build --quiet --build-arg BASE="$MINBASE_TAG" --build-arg NODE_VERSION="${node_version#v}" \
    --build-arg BASE_KEY="$base_key" -t "$BASE_TAG" "$ctx" >/dev/null \
    || { rm -rf "$ctx"; exit 1; }
  rm -rf "$ctx"
}
if [ "$(image_label "$BASE_TAG" io.phishnet.base-key)" != "$base_key" ]; then
  if ! "$DOCKER" image inspect "$MINBASE_TAG" >/dev/null 2>&1; then timed build_minbase; fi
  timed build_base
else
  log "$BASE_TAG stand-in present (key $base_key)"
fi
if [ "$mode" = base ]; then log "done in $((SECONDS - t0)) s"; exit 0; fi

# 4. The project's images: one target each of the root Dockerfile, context = repo root (see .dockerignore).
for c in "${COMPONENTS[@]}"; do
  log "docker build phishnet/$c:dev (target $c)"
  s=$SECONDS
  if ! "$DOCKER" build --progress plain --target "$c" -t "phishnet/$c:dev" "$ROOT" > "$STATE/build-$c.log" 2>&1; then
    log "docker build --target $c failed; last lines of $STATE/build-$c.log:"; tail -30 "$STATE/build-$c.log" >&2
    exit 1
  fi
  log "  phishnet/$c:dev built in $((SECONDS - s)) s ($("$DOCKER" image inspect --format '{{.Size}}' "phishnet/$c:dev" | awk '{printf "%.0f MB", $1/1e6}'))"
done
# Rebuilds leave the previous image untagged; drop those (dangling images only, never a tagged one).
"$DOCKER" image prune -f >/dev/null
log "done in $((SECONDS - t0)) s"
