# posdiag hub image (Debian 12, Node 20). Build: docker build -t posdiag .
# It builds and ships the three workspace packages: posdiag-hub, which it runs, the protocol, and the agent
# beside them, whose `posdiag hub` (the CMD) loads the hub package and whose `posdiag demo` needs both.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ libusb-1.0-0 libpcsclite-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libusb-1.0-0 libpcsclite1 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
# Not root: a user of its own, whose home holds the hub's database (./posdiag-hub.db by default).
RUN useradd --system --user-group --uid 10001 --create-home --home-dir /var/lib/posdiag-hub --shell /usr/sbin/nologin posdiag
USER posdiag
WORKDIR /var/lib/posdiag-hub
VOLUME /var/lib/posdiag-hub
ENTRYPOINT ["node", "/app/packages/agent/bin/posdiag.js"]
# The hub on its default 127.0.0.1:8080. To publish it, give it an API token:
#   docker run -p 8080:8080 -v …:/etc/posdiag-hub posdiag hub --listen 0.0.0.0:8080 \
#     --api-token-file /etc/posdiag-hub/api-token --tokens /etc/posdiag-hub/terminals.json
# (`docker run posdiag demo` runs the 30 s demo instead; it serves no /healthz on 8080.)
CMD ["hub"]
# The hub's unauthenticated GET /healthz (503 when its database cannot be read). The slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
