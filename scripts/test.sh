#!/usr/bin/env bash
# The whole test suite: typecheck, lint, vitest (unit + integration with real components), training pytest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/scripts/bootstrap.sh" --test --python
cd "$ROOT"
log "typecheck"; "$NODE24" node_modules/typescript/bin/tsc -b
log "lint"; "$NODE24" node_modules/eslint/bin/eslint.js .
log "vitest"; "$NODE24" node_modules/vitest/vitest.mjs run "$@"
log "pytest (training)"; "$ROOT/training/.venv/bin/python" -m pytest -q "$ROOT/training/tests"
