# The registration hook as a container: compiled in one stage, production dependencies installed in
# another, and only what the service reads at run time copied into the final image.
#   docker build -t okta-registration-hook .
#   docker run --rm -p 3000:3000 -e HOOK_AUTH_SECRET='Basic <secret>' -e ALLOWED_DOMAINS=example.com okta-registration-hook
# For reproducible builds, pin the base image by digest: node:24-bookworm-slim@sha256:<digest>.

FROM node:24-bookworm-slim AS base
WORKDIR /app
# No telemetry from install scripts (swagger-ui-dist depends on @scarf/scarf) and no npm nagging.
ENV SCARF_ANALYTICS=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Build: every dependency (TypeScript and esbuild included), then src/ type-checked and bundled to dist/.
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/
COPY generated ./generated
COPY src ./src
RUN npm run build

# Production dependencies only; npm ci honours package.json's "overrides" through the lockfile.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# Run time: files stay owned by root (COPY's default) and read-only to the node user.
FROM base AS runtime
ENV NODE_ENV=production \
    PORT=3000
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY generated/openapi.json ./generated/openapi.json
COPY public ./public
# Examples for operators (not read unless CONFIG_FILE or POLICY_FILE names them).
COPY config/example.yaml ./config/
COPY policy/example.yaml ./policy/
COPY policy/example-lists ./policy/example-lists
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1, so SIGTERM reaches the service, which drains for up to 10 s and exits 0.
CMD ["node", "dist/server.js"]
