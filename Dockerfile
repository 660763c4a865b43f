# Build: docker build -t agora .
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin agora

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/agora agora \
    && mkdir -p /var/lib/agora && chown agora /var/lib/agora
COPY --from=build /src/target/release/agora /usr/local/bin/agora
USER agora
ENV AGORA_LISTEN=0.0.0.0:8080 AGORA_DATA_DIR=/var/lib/agora AGORA_LOG_FORMAT=json
VOLUME /var/lib/agora
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["agora"]
CMD ["serve"]
