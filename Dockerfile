# One image for every Signoff service; the command picks which one runs.
# Services run from TypeScript source through @swc-node/register (no separate build step).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund && npm cache clean --force
COPY tsconfig.base.json nx.json ./
COPY libs libs
COPY apps apps
COPY tools tools
ENV SWC_NODE_PROJECT=/app/tsconfig.base.json \
    HTTP_HOST=0.0.0.0
USER node
CMD ["node", "-r", "@swc-node/register", "apps/playback-gateway/src/main.ts"]
