#!/usr/bin/env bash
# Runs the control-plane test tier (operator control-plane + rollout-analysis + rollout-gates + PhishFeed and PhishTenant stories, gateway PhishModel watcher and mirrored verdict-disagreement, chart install): installs/builds the Kubernetes binaries
# (cached under ~/.cache/phishnet/bin; the first, cold build of kube-apiserver & co. takes long), then runs the tier
# with PHISHNET_CONTROL_PLANE=1. Extra arguments go to vitest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/scripts/k8s-binaries.sh" >/dev/null
cd "$ROOT"
# One file at a time: each starts its own control plane, and the rollout stories measure analysis intervals.
PHISHNET_CONTROL_PLANE=1 "$NODE24" node_modules/vitest/vitest.mjs run --no-file-parallelism \
  control-plane rollout-analysis rollout-gates rollout-mirror phishmodel-watcher phishfeed phishtenant "$@"
