#!/usr/bin/env bash
# The whole test suite: typecheck, lint, vitest (unit + integration with real components), training pytest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/scripts/bootstrap.sh" --test --python
# The containers tier (test/containers) needs dockerd, the offline base image and the phishnet/*:dev images. Built here,
# before vitest runs files in parallel; a failure does not stop the suite: that tier's test reruns the script and fails
# with its output. PHISHNET_CONTAINER_TESTS=0 skips the tier (vitest reports it as skipped).
if [ "${PHISHNET_CONTAINER_TESTS:-1}" != 0 ]; then
  log "docker images (scripts/docker.sh)"
  bash "$ROOT/scripts/docker.sh" || log "scripts/docker.sh failed: the containers tier will fail and say why"
fi
# Kubernetes binaries (scripts/k8s-binaries.sh: built once, cold ~20 min on 2 cores, cached in ~/.cache/phishnet/bin):
# before vitest, whose config tier uses helm and kubectl; the control-plane tier below uses the rest.
if [ "${PHISHNET_CONTROL_PLANE_TESTS:-1}" != 0 ]; then
  log "Kubernetes binaries (scripts/k8s-binaries.sh)"
  bash "$ROOT/scripts/k8s-binaries.sh" >/dev/null
fi
# The OTLP receiver the tracing test (test/e2e/tracing.test.ts) sends spans to: the OpenTelemetry Collector's OTLP
# receiver, built from the Go module proxy once (cold ~2–8 min on 2 cores, depending on load) and cached like the
# Kubernetes binaries.
log "OTLP receiver (scripts/otlp-receiver.sh)"
bash "$ROOT/scripts/otlp-receiver.sh" >/dev/null
cd "$ROOT"
# Generated files (CRDs, chart copies, sample digests, OpenAPI, dashboards, plain install) must be what `npm run gen`
# makes from their sources: regenerate, then fail on any difference from what is committed.
log "generated files (npm run gen, then git diff --exit-code)"
bash "$ROOT/scripts/gen.sh"
git diff --exit-code --stat -- $GENERATED || { log "npm run gen changed the files above: run it and commit them"; exit 1; }
[ -z "$(git status --porcelain --untracked-files=all -- $GENERATED)" ] || { git status --short -- $GENERATED; log "npm run gen wrote new files: commit them"; exit 1; }
log "typecheck"; "$NODE24" node_modules/typescript/bin/tsc -b
log "lint"; "$NODE24" node_modules/eslint/bin/eslint.js .
log "vitest"; "$NODE24" node_modules/vitest/vitest.mjs run "$@"
# The control-plane tier (etcd, kube-apiserver, controller-manager, scheduler, kwok on loopback), through the same
# script a developer runs for it. PHISHNET_CONTROL_PLANE_TESTS=0 leaves the tier out (its tests then show as skipped).
if [ "${PHISHNET_CONTROL_PLANE_TESTS:-1}" != 0 ]; then
  log "vitest: control-plane tier (real kube-apiserver, scripts/control-plane.sh)"
  bash "$ROOT/scripts/control-plane.sh"
fi
# The node tier (a real kubelet + containerd + CNI + kube-proxy + CoreDNS joined to a real API server; helm installs
# and rollouts on it), through the same script a developer runs. It needs root (bridges, iptables, cgroups) and tears
# everything down on exit. PHISHNET_NODE_TESTS=0 leaves it out.
if [ "${PHISHNET_NODE_TESTS:-1}" != 0 ]; then
  log "vitest: node tier (real kubelet + containerd, scripts/k8s-node.sh)"
  bash "$ROOT/scripts/k8s-node.sh"
fi
log "pytest (training)"; "$ROOT/training/.venv/bin/python" -m pytest -q "$ROOT/training/tests"
