# One image for every role; docker-compose.yml picks the role with `serve --role`.
# Node 24 (Active LTS): the runtime the project recommends and CI tests, as Node 20 is past its end of life.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# No native addon is built: on Node 24 the embedded history store is Node's own node:sqlite
# (better-sqlite3, its driver on Node 20, is never loaded here).
COPY . .
RUN npm run build && npm run build:web && npm prune --omit=dev

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/schema ./schema
COPY --from=build /app/package.json ./package.json
USER node
ENTRYPOINT ["node", "bin/modelgraph.js"]
CMD ["serve"]
