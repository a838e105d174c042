# syntax=docker/dockerfile:1
# k8s-constitution: one binary (lint, serve, certs). The image runs the admission webhook by
# default; deploy/base passes the full argument list.
#
#   docker build -t k8s-constitution:0.1.0 .
#
# Build stage: the toolchain the project is developed with (Cargo.toml rust-version is the floor).
FROM docker.io/library/rust:1.95.0-bookworm AS build
WORKDIR /src
# Only what the build reads: the manifest and lock, the build script, the sources, the
# vendored regorus, and the rule pack and its fixtures (build.rs embeds both into the binary).
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY policies ./policies
COPY fixtures/rules ./fixtures/rules
# Cargo.toml declares the webhook load benchmark; the manifest is rejected if its file is missing.
COPY benches ./benches
# regorus is vendored with patches (Cargo.toml [patch]; vendor/regorus/PATCHES.md).
COPY vendor ./vendor
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin k8s-constitution \
    && install -D -m 0755 target/release/k8s-constitution /out/k8s-constitution

# Runtime: glibc and libgcc only (the binary links them; TLS is rustls, no OpenSSL), no shell,
# no package manager, UID/GID 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/k8s-constitution /usr/local/bin/k8s-constitution
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/k8s-constitution"]
CMD ["serve", "--cert=/etc/k8s-constitution/tls/tls.crt", "--key=/etc/k8s-constitution/tls/tls.key"]
