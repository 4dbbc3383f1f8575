#!/usr/bin/env bash
# Checks and unit-tests the Prometheus alert rules (Debian prometheus package: bash scripts/bootstrap.sh --test).
#   bash scripts/promtool-test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
promtool check rules alerts/rules/*.yaml
promtool test rules alerts/tests/*.yaml
