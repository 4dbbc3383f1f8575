#!/usr/bin/env bash
# Trains a model artifact: bash training/train.sh --data <labelled.csv[.gz]> --out <artifact.tar.gz> [options]
# (npm run train -- …). Installs the pinned venv first.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
bash "$ROOT/scripts/bootstrap.sh" --python
export PYTHONPATH="$ROOT/training${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONHASHSEED=0  # reproducible artifacts: no hash-order-dependent output
exec "$ROOT/training/.venv/bin/python" -m phishnet_training.train "$@"
