# syntax=docker/dockerfile:1
# Build: compile TypeScript with every dependency, then keep production dependencies only.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime: a supported Node LTS, no compiler, no dev dependencies, not root.
# Memory: set the V8 heap from the container's limit and the caches from the heap, e.g. under a
# 512 MB limit: -e NODE_OPTIONS=--max-old-space-size=384 (about three quarters; buffers, sockets and
# code live outside the heap) and -e CACHE_MAX_BYTES=96000000 (at most a quarter of the heap).
# CACHE_MAX_BYTES bounds all that is kept per distinct request (answers, whole operations, parsed
# documents); the rest of the heap is fixed (~25 MB at rest) plus garbage between collections.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/index.js"]
