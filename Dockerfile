# Cinnabar: build with the full Node 20 image, run on the slim one.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
COPY test ./test
COPY redis-compat ./redis-compat
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
RUN ln -s /app/dist/src/main.js /usr/local/bin/cinnabar-server && chmod +x /app/dist/src/main.js \
  && mkdir -p /data
VOLUME /data
EXPOSE 6379 16379
# Listen on all interfaces inside the container; data in /data.
CMD ["cinnabar-server", "--bind", "0.0.0.0", "--dir", "/data", "--protected-mode", "no"]
