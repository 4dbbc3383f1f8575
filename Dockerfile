# phishnet's images: one Dockerfile, one target per service. Build context: the repository root (npm workspaces need
# the root package.json and package-lock.json; .dockerignore sends only what the images use):
#   docker build --target gateway   -t phishnet/gateway .
#   docker build --target inference -t phishnet/inference .
#   docker build --target operator  -t phishnet/operator .
# Every image runs as a non-root user and writes nothing to disk (a read-only root filesystem works). Node 24 runs the
# TypeScript sources directly (type stripping); SIGTERM reaches node as PID 1 → graceful shutdown.
FROM node:24-bookworm-slim AS base

ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Manifests first (layer cache): npm ci checks the lock file against every workspace's package.json.
COPY package.json package-lock.json tsconfig.base.json ./
COPY api/package.json api/package.json
COPY lists/package.json lists/package.json
COPY telemetry/package.json telemetry/package.json
COPY inference/package.json inference/package.json
COPY gateway/package.json gateway/package.json
COPY operator/package.json operator/package.json
COPY extension/package.json extension/package.json
COPY test/package.json test/package.json
COPY testing/package.json testing/package.json
COPY tools/package.json tools/package.json

# Each target installs the runtime dependencies of its workspace only, then copies its sources and what it imports:
# always the contracts (@phishnet/api: schemas, canonical URLs, metric names, digest format) and the OpenTelemetry
# set-up (@phishnet/telemetry; tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set).

# Gateway. Configure with PHISHNET_GATEWAY_* (gateway/src/config.ts); INFERENCE_URL and REDIS_URL are the ones to set.
FROM base AS gateway
RUN npm ci --omit=dev --workspace=gateway --include-workspace-root=false --loglevel=error && npm cache clean --force && rm -rf /root/.npm /tmp/*
COPY api/src api/src
COPY telemetry/src telemetry/src
COPY gateway/tsconfig.json gateway/tsconfig.json
COPY gateway/src gateway/src
# The list core (lookup expressions, snapshots, feed formats), the hosting-platform lexicon it takes from inference,
# and the bundled default allowlist (lists/data/default-allow.txt, list `phishnet-default-allow`;
# PHISHNET_GATEWAY_DEFAULT_ALLOWLIST=false turns it off).
COPY inference/src/features inference/src/features
COPY lists lists
USER node
EXPOSE 8080
ENV PHISHNET_GATEWAY_HOST=0.0.0.0 PHISHNET_GATEWAY_PORT=8080
CMD ["node", "gateway/src/main.ts"]

# Inference. The bundled model (models/phishnet-url-lexical-v5.tar.gz) is the default; PHISHNET_INFERENCE_MODEL_URI
# overrides it. onnxruntime-node ships its CPU binaries in the package.
FROM base AS inference
RUN npm ci --omit=dev --workspace=inference --include-workspace-root=false --loglevel=error && npm cache clean --force && rm -rf /root/.npm /tmp/*
COPY api/src api/src
COPY telemetry/src telemetry/src
COPY inference/tsconfig.json inference/tsconfig.json
COPY inference/src inference/src
COPY models/*.tar.gz models/
USER node
EXPOSE 8000
# ORT_DISABLE_TELEMETRY: onnxruntime-node's telemetry uploader must never try to reach the internet.
ENV PHISHNET_INFERENCE_HOST=0.0.0.0 PHISHNET_INFERENCE_PORT=8000 ORT_DISABLE_TELEMETRY=1
CMD ["node", "inference/src/main.ts"]

# Operator. Configure with PHISHNET_OPERATOR_* (operator/src/config.ts); in a cluster it uses its service account.
# Besides the contracts it imports the list core (feed formats, the Redis layout) and the lexicon the list core uses.
FROM base AS operator
RUN npm ci --omit=dev --workspace=operator --include-workspace-root=false --loglevel=error && npm cache clean --force && rm -rf /root/.npm /tmp/*
COPY api/src api/src
COPY telemetry/src telemetry/src
COPY operator/tsconfig.json operator/tsconfig.json
COPY operator/src operator/src
COPY inference/src/features inference/src/features
COPY lists/src lists/src
USER node
EXPOSE 8080
ENV PHISHNET_OPERATOR_METRICS_HOST=0.0.0.0 PHISHNET_OPERATOR_METRICS_PORT=8080
# On SIGTERM the operator releases its Lease so a standby takes over at once.
CMD ["node", "operator/src/main.ts"]
