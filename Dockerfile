# syntax=docker/dockerfile:1
#
# Container image for one app of this Nest monorepo (verification-worker, verification-page, import-worker).
# Used by docker-compose.yml; the project's own `npm start` / `npm test` do not need it.
#
#   docker build --build-arg APP=verification-worker -t connect-provisioning/verification-worker .
#
# Two stages so the runtime image carries neither the TypeScript sources nor the
# dev toolchain (Nest CLI, webpack, swc, jest): only production node_modules and the
# compiled app.

# The Node the suite runs on (infra/local/ensure-node.sh), within `engines` in package.json:
# an LTS line, pinned to the release so a rebuild is the same image (tools/runtime-pins.spec.ts
# keeps the three in step). bookworm-slim rather than alpine so that prebuilt native binaries
# (glibc) work without a compiler in the image.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# --- build: compile the app with the Nest CLI ----------------------------------------
FROM ${NODE_IMAGE} AS build

# Which app under apps/ to build; a project name from nest-cli.json.
ARG APP=verification-worker

WORKDIR /app

# Lockfile first, sources later: the slow `npm ci` layer is reused until the
# dependencies themselves change, not on every source edit.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# .dockerignore keeps node_modules, dist, .stack, .git and the like out of this copy,
# so the host's (possibly other-OS) node_modules never overwrite the ones just installed.
COPY . .

# nest-cli.json builds with webpack: libs/* are bundled into one dist/apps/$APP/main.js,
# while packages from node_modules stay external (hence the npm ci in the runtime stage).
# The test makes a wrong output path fail the build here, not at container start.
RUN npx nest build "$APP" \
 && test -f "dist/apps/$APP/main.js"

# --- runtime: production dependencies and the compiled app only ----------------------
FROM ${NODE_IMAGE} AS runtime

ARG APP=verification-worker

# NODE_ENV=production: libraries (and npm) switch to their production behaviour.
# APP is carried from build arg into the environment because CMD runs at container
# start, when build args no longer exist.
# NODE_OPTIONS: Node 24's young generation grows to tens of MB per semi-space by default; the
# worker's RSS was 180 MB higher for no gain in throughput (docs/performance.md). The same flag
# in infra/local/run-pipeline.sh and test/support/worker-process.ts (tools/runtime-pins.spec.ts).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=8 \
    APP=${APP}

WORKDIR /app

COPY package.json package-lock.json ./
# Only `dependencies`: the externals the webpack bundle require()s at run time.
# The cache is dropped because it would only bloat the image.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY --from=build /app/dist/apps/${APP} ./dist/apps/${APP}

# The official image ships an unprivileged `node` user (uid 1000). Everything above is
# owned by root: node can read it but not write it, so the app cannot alter its own code.
USER node

# sh -c so that $APP is expanded at start; `exec` replaces the shell with node, so
# node receives SIGTERM from `docker stop` directly and can shut down cleanly.
CMD ["sh", "-c", "exec node \"dist/apps/$APP/main.js\""]
