# The gameday image for scheduled drills inside the cluster (`gameday schedule export`), for users
# with Docker and a registry:
#
#   docker build -t registry.example.com/gameday:0.1.0 .
#   docker push registry.example.com/gameday:0.1.0
#   gameday schedule export checkout-pod-kill --env staging --cron "0 14 * * 3" \
#     --image registry.example.com/gameday:0.1.0 | kubectl apply -f -
#
# The same image as scripts/build-image.sh builds without Docker (an OCI archive for
# `ctr images import`): Node 22, the package (bin/, dist/, the node agent's script) and its
# production dependencies, run as user 65532 from /drill, where the CronJob mounts the scenario,
# its runbook and gameday.yaml. The pod's root filesystem is read-only; /tmp is its scratch volume.
# Node 24 works too: --build-arg NODE=24.

ARG NODE=22

FROM node:${NODE}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev \
 && mkdir /app && npm pack --dry-run --json --ignore-scripts \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const f of JSON.parse(s)[0].files)console.log(f.path)})' \
    | tar -cf - --files-from=- | tar -xf - -C /app \
 && cp -a node_modules /app/node_modules

FROM node:${NODE}-bookworm-slim
ENV NODE_ENV=production HOME=/tmp
COPY --from=build /app /app
RUN mkdir -p /drill && groupadd -g 65532 gameday && useradd -u 65532 -g 65532 -d /tmp -s /usr/sbin/nologin gameday
USER 65532:65532
WORKDIR /drill
ENTRYPOINT ["node", "/app/bin/gameday.js"]
