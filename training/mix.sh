#!/usr/bin/env bash
# Builds the v5 training mix: bash training/mix.sh --train <urls-train.csv.gz> --fresh <urls-fresh.csv.gz> --out <mix.csv.gz>
# [options] (npm run mix -- …; see training/phishnet_training/mix.py). Installs the pinned venv first.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
bash "$ROOT/scripts/bootstrap.sh" --python
export PYTHONPATH="$ROOT/training${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONHASHSEED=0
exec "$ROOT/training/.venv/bin/python" -m phishnet_training.mix "$@"
