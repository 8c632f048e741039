# Liên thông Gateway — production image (docs/deploy.md). One image, three commands:
#   gateway (default CMD) · worker: node … dist/src/worker.js · migrations: node dist/src/migrate.js (as the schema owner)
# Redis and PostgreSQL are external (REDIS_URL or REDIS_SENTINELS, DATABASE_URL); NODE_ENV=production refuses to
# start without them and without SECRETS_KEY and AUDIT_KEY. Runs as uid 1000, with a read-only root filesystem;
# the only writable place is the DATA_DIR volume (audit spill files kept across a restart without database).
# Built and run in CI by scripts/container-smoke.sh (podman; the base image is made locally when no registry is
# reachable: scripts/container-base-image.sh).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No fallback: a failed install must stop the build here, not later as "tsc: not found".
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.image.json ./
COPY src ./src
COPY connectors ./connectors
COPY console ./console
COPY scripts/compress-console.mjs ./scripts/
RUN npx tsc -p tsconfig.image.json && npm run build:console && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ARG VERSION=0.0.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="lienthong-gateway" \
      org.opencontainers.image.description="Liên thông Gateway: national integration gateway for provincial systems and Vietnam's national systems" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 SIMULATORS=off MIGRATIONS=off \
    DATA_DIR=/var/lib/lienthong CONNECTORS_FILE=config/connectors.production.json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY migrations ./migrations
COPY config ./config
COPY data ./data
RUN mkdir -p /var/lib/lienthong && chown 1000:1000 /var/lib/lienthong
VOLUME ["/var/lib/lienthong"]
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "dist/src/healthcheck.js"]
# A 192 MB heap: the live set under load is under 100 MB (docs/performance.md); the bound keeps RSS near 200 MB.
CMD ["node", "--max-old-space-size=192", "--import", "./dist/src/tracing.js", "dist/src/server.js"]
