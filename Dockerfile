# sidecart image: build with dev dependencies, ship only production dependencies + dist/ + config/.
#
#   docker build -t sidecart:0.1.0 .
#   docker run --rm --stop-timeout 30 -p 8080:8080 -p 8081:8081 -e SIDECART_UPSTREAM_URL=http://host:9200 sidecart:0.1.0
#
# No `# syntax=` line: BuildKit would fetch that frontend from a registry, and nothing here needs it.
# Node 20 because CI runs the test suite on Node 20 (see LIBRARY-FACTS.md); move the image to a
# newer LTS only together with the suite. Override with --build-arg NODE_IMAGE=... to pin a digest.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, TypeScript → dist/ -------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: tsc needs none, and it keeps third-party code from running at build time.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- prod-deps: production dependencies only, in a stage of their own -----------------------
# so no dev dependency, npm cache or source file can leak into the final layers.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# ---- runtime -------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# A fixed numeric uid/gid (10001) so Kubernetes' runAsNonRoot can verify it without a passwd
# lookup and it cannot collide with the base image's `node` user (1000).
RUN groupadd --gid 10001 sidecart \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin sidecart
# Files are owned by root (--chown=0:0: some npm versions keep the tarballs' uids in node_modules,
# which may be the app's uid) and only readable by the app user: the process cannot rewrite its
# own code, and the container runs fine with readOnlyRootFilesystem.
# package.json is needed at run time: it carries "type": "module" for dist/.
COPY --chown=0:0 package.json ./
COPY --chown=0:0 --from=prod-deps /app/node_modules ./node_modules
COPY --chown=0:0 --from=build /app/dist ./dist
# Built-in defaults; in Kubernetes SIDECART_CONFIG points at the mounted ConfigMap instead.
COPY --chown=0:0 config ./config
USER 10001:10001
# 8080: traffic (SIDECART_PORT). 8081: /healthz, /readyz, /metrics, admin (SIDECART_OPS_PORT).
EXPOSE 8080 8081
# Signals: node runs as PID 1 with no init. That is safe here because sidecart installs its own
# SIGTERM/SIGINT handlers (the kernel's "PID 1 ignores default-action signals" rule only bites
# processes without handlers) and it spawns no children, so there are no zombies to reap.
# Kubernetes sends SIGTERM to PID 1 after the preStop sleep; sidecart drains and exits.
# For ad-hoc `docker run` use `--init` if you want tini in front anyway.
# Docker's own stop waits only 10 s before SIGKILL, less than sidecart's drain (shutdownGraceMs,
# default 10 s) plus the journal flush: run with `--stop-timeout 30` (or `docker stop -t 30`).
STOPSIGNAL SIGTERM
# No HEALTHCHECK: Kubernetes probes /healthz and /readyz on the ops port (see deploy/kubernetes).
CMD ["node", "dist/src/main.js"]
