#!/usr/bin/env bash
# Builds the OTLP receiver the tracing tests send spans to (test/otlp-receiver: the OpenTelemetry Collector's
# otlpreceiver v0.165.0 with a consumer that writes OTLP/JSON lines), cached under
# ${PHISHNET_BIN_CACHE:-~/.cache/phishnet/bin}/otlp-receiver-<hash>/otlp-receiver, where <hash> covers the module's
# go.mod, go.sum and main.go (a change rebuilds). Idempotent; a no-op when cached.
#
#   bash scripts/otlp-receiver.sh           build if missing, print the binary's path on stdout
#   bash scripts/otlp-receiver.sh --print   only print the path (exit 1 if it is not built)
#
# Modules come from the Go module proxy (go.sum pins them); the build runs under `nice -n 19` (shared 2-core machines)
# with GOMODCACHE/GOCACHE in Go's defaults, so reruns are warm. Measured cold (empty GOCACHE, modules already
# downloaded, ~20 s more when not): 502 s on 2 cores shared with other builds (load average ≈ 19); a no-op when cached.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC="$ROOT/test/otlp-receiver"
CACHE="${PHISHNET_BIN_CACHE:-$HOME/.cache/phishnet/bin}"
hash="$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-12)"
out="$CACHE/otlp-receiver-$hash/otlp-receiver"

if [ "${1:-}" = "--print" ]; then
  echo "$out"
  [ -x "$out" ]
  exit $?
fi
if [ ! -x "$out" ]; then
  command -v go >/dev/null || { log "go is not on PATH (needed to build the OTLP receiver)"; exit 3; }
  mkdir -p "$(dirname "$out")"
  log "building the OTLP receiver (test/otlp-receiver, nice -n 19)"
  started=$SECONDS
  (cd "$SRC" && CGO_ENABLED=0 nice -n 19 go build -trimpath -ldflags "-s -w" -o "$out.tmp.$$" . >&2)
  mv "$out.tmp.$$" "$out"
  log "OTLP receiver built in $((SECONDS - started)) s: $out"
fi
echo "$out"
