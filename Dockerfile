# Cicada in a container: the image runs `cicada`, so arguments are Cicada's flags.
#   docker build -t cicada .
#   docker run --rm -v "$PWD:/mnt/cicada" cicada -f locustfile.ts --headless -u 10 -r 2 -t 1m -H http://target:8080
# Master and workers: see docker-compose.yml and docs/deployment.md.

# Build stage: dev dependencies compile src/ (and the web UI, when present) into dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /opt/cicada
COPY . .
RUN npm ci

# Runtime stage: production dependencies only (zeromq and esbuild ship prebuilt binaries).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/cicada
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /opt/cicada/dist ./dist
COPY bin ./bin
COPY examples ./examples
RUN ln -s /opt/cicada/bin/cicada.js /usr/local/bin/cicada
# Locustfiles are mounted here (relative -f paths resolve against it).
WORKDIR /mnt/cicada
USER node
# 5557: workers connect to a master here (--master-bind-port); 8089: the web UI (-P).
EXPOSE 5557 8089
ENTRYPOINT ["cicada"]
CMD ["--help"]
