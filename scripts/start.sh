#!/usr/bin/env bash
# The main job (`npm start`): inference + gateway on 127.0.0.1 with the bundled model.
#   PHISHNET_INFERENCE_PORT (default 8000), PHISHNET_GATEWAY_PORT (default 8080),
#   PHISHNET_INFERENCE_MODEL_URI (default models/phishnet-url-lexical-v5.tar.gz),
#   PHISHNET_GATEWAY_REDIS_URL (unset → embedded in-memory cache; set → shared Redis L2 + rate limits).
# Ctrl-C (SIGINT) or SIGTERM stops both services gracefully.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"

inf_port="${PHISHNET_INFERENCE_PORT:-8000}"
gw_port="${PHISHNET_GATEWAY_PORT:-8080}"
admin_port="${PHISHNET_GATEWAY_ADMIN_PORT:-9090}"
export PHISHNET_INFERENCE_PORT="$inf_port" PHISHNET_GATEWAY_PORT="$gw_port"
export PHISHNET_INFERENCE_HOST="${PHISHNET_INFERENCE_HOST:-127.0.0.1}"
export PHISHNET_GATEWAY_HOST="${PHISHNET_GATEWAY_HOST:-127.0.0.1}"
export PHISHNET_GATEWAY_INFERENCE_URL="${PHISHNET_GATEWAY_INFERENCE_URL:-http://127.0.0.1:$inf_port}"
model="${PHISHNET_INFERENCE_MODEL_URI:-$ROOT/models/phishnet-url-lexical-v5.tar.gz}"
if [[ "$model" != http*://* && ! -e "${model#file://}" ]]; then
  log "model artifact $model not found; train one with: npm run train -- --data <labelled.csv> --out $model"
  exit 1
fi
export PHISHNET_INFERENCE_MODEL_URI="$model"

pids=()
stop() {
  trap - INT TERM
  log "stopping"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  exit "${1:-0}"
}
trap 'stop 0' INT TERM

"$NODE24" inference/src/main.ts & pids+=($!)
inf_pid=$!
"$NODE24" gateway/src/main.ts & pids+=($!)
gw_pid=$!

wait_ready() { # name url pid
  for _ in $(seq 1 600); do
    if ! kill -0 "$3" 2>/dev/null; then log "$1 exited during startup"; stop 1; fi
    if curl -fs -o /dev/null --max-time 1 "$2"; then return 0; fi
    sleep 0.1
  done
  log "$1 not ready after 60 s ($2)"; stop 1
}
wait_ready inference "http://127.0.0.1:$inf_port/readyz" "$inf_pid"
wait_ready gateway "http://127.0.0.1:$gw_port/readyz" "$gw_pid"

cache="embedded in-memory cache (L1 only)"
[ -n "${PHISHNET_GATEWAY_REDIS_URL:-}" ] && cache="Redis at $PHISHNET_GATEWAY_REDIS_URL"
cat >&2 <<MSG
[phishnet] ready
  gateway    http://127.0.0.1:$gw_port  (admin: http://127.0.0.1:$admin_port/docs API docs, /metrics)
  inference  http://127.0.0.1:$inf_port  (model: $model)
  cache      $cache
  try:       curl -s -X POST http://127.0.0.1:$gw_port/api/check-url -H 'content-type: application/json' -d '{"url":"http://paypal.com.account-verify.example/login"}'
  stop:      Ctrl-C
MSG

# Runs until a signal (trap) or until either service exits (then the other is stopped too).
set +e
wait -n "$inf_pid" "$gw_pid"
rc=$?
log "a service exited with status $rc"
stop "$rc"
