#!/usr/bin/env bash
# Runs Node 24 (bootstrapping it and npm dependencies first if missing) with the given arguments.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec "$NODE24" "$@"
