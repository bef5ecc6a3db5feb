# The newsroom CMS API: a build stage that compiles TypeScript (and, when no
# prebuilt binary fits, better-sqlite3), then a slim runtime stage with only
# the compiled code, the migrations and the production dependencies.
#
#   docker build -t newsroom-cms .
#   docker run -p 3000:3000 -v cms-data:/data newsroom-cms
#   docker run --rm -v cms-data:/data newsroom-cms cms keys create --name first --role admin
#
# Both stages use the same glibc (Debian bookworm) image, so the native
# better-sqlite3 module built or downloaded in the first loads in the second.

FROM node:24-bookworm-slim AS build

# better-sqlite3 falls back to node-gyp when no prebuilt binary matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so this layer is reused while only the sources change. The package's own
# prepare script (the build) needs the sources, which are not here yet: --ignore-scripts skips it,
# and npm rebuild then runs the dependencies' install scripts (better-sqlite3's) alone.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
  && npm rebuild

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
  && chmod +x dist/cli.js \
  && npm prune --omit=dev --no-audit --no-fund


FROM node:24-bookworm-slim AS runtime

# tini as PID 1: forwards SIGTERM to the server (which shuts down gracefully) and reaps zombies.
# `cms` on the PATH is the package's bin, the compiled CLI copied below.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /data \
  && chown node:node /data \
  && ln -s /app/dist/cli.js /usr/local/bin/cms

ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=3000 \
  DATABASE_PATH=/data/cms.db

WORKDIR /app

# The application files stay owned by root: the server only ever writes to /data.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations

USER node

VOLUME /data
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# The server creates and migrates the database at DATABASE_PATH on start.
CMD ["node", "dist/server.js"]
