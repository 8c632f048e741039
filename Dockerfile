# Liên thông Gateway — production image. Redis and PostgreSQL are external (REDIS_URL, DATABASE_URL);
# the embedded local services and simulators are a development default and are not used here.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts || npm install --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
COPY bench ./bench
COPY console ./console
COPY scripts/compress-console.mjs ./scripts/
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 SIMULATORS=off DATA_DIR=/var/lib/lienthong
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY migrations ./migrations
COPY config ./config
COPY data ./data
RUN mkdir -p /var/lib/lienthong && chown node:node /var/lib/lienthong
USER node
EXPOSE 8080
# Gateway: the default. Worker-only process: same image, CMD ["node", "--max-old-space-size=192", "--import", "./dist/src/tracing.js", "dist/src/worker.js"]
# A 192 MB heap: the live set under load is under 100 MB (docs/performance.md); the bound keeps RSS near 200 MB.
CMD ["node", "--max-old-space-size=192", "--import", "./dist/src/tracing.js", "dist/src/server.js"]
