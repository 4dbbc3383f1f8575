#!/usr/bin/env bash
# Rebuilds every generated file from its source, in dependency order (`npm run gen`). Each file it writes is committed
# and marked generated; `npm test` runs this and fails when the tree then differs from what is committed.
#   1. CRDs from the zod schemas (operator/src/api/v1alpha1/crd.ts) and the chart's copies
#   2. the artifact digests of the sample PhishModels and the chart's phishModel values from models/*.sha256
#      (scripts/sample-digests.ts)
#   3. the replay gates' data from fixtures/ (operator/src/analysis/gate-data.ts)
#   4. the chart's copy of the alert rules (alerts/rules → charts/phishnet/files/alerts)
#   5. the OpenAPI document from the public API schemas (gateway/src/openapi-cli.ts)
#   6. the Grafana dashboards and the chart's copies (grafana/build.ts)
#   7. the `gateway.env` / `operator.env` parts of the chart's values schema from the config schemas
#      (scripts/gen-chart-env-schema.ts)
#   8. the plain install and the sample PhishFeeds from the chart (scripts/render-install.sh; it renders 1–7)
#   9. the README's configuration tables from the config schemas (scripts/gen-config-docs.ts)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
log "gen: CRDs"; "$NODE24" operator/src/api/v1alpha1/crd.ts
log "gen: sample digests"; "$NODE24" scripts/sample-digests.ts
log "gen: replay-gate data"; "$NODE24" operator/src/analysis/gate-data.ts
log "gen: chart alert rules"; rm -f charts/phishnet/files/alerts/*.yaml; cp alerts/rules/*.yaml charts/phishnet/files/alerts/
log "gen: OpenAPI"; (cd gateway && "$NODE24" src/openapi-cli.ts)
log "gen: dashboards"; "$NODE24" grafana/build.ts
log "gen: chart values schema, env parts"; "$NODE24" scripts/gen-chart-env-schema.ts
log "gen: plain install"; bash scripts/render-install.sh
log "gen: README configuration tables"; "$NODE24" scripts/gen-config-docs.ts
