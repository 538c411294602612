# posdiag agent/hub image (Debian 12, Node 20). Build: docker build -t posdiag .
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ libusb-1.0-0 libpcsclite-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY rules ./rules
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libusb-1.0-0 libpcsclite1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENTRYPOINT ["node", "/app/bin/posdiag.js"]
CMD ["demo"]
