# syntax=docker/dockerfile:1
# One image for the three processes: api (default command), worker and beat, which the
# deployment starts with `saltbitter worker` and `saltbitter beat` (docs/operations.md).
# No secret is baked in: every SALTBITTER_* secret arrives as an environment variable at
# run time (Secrets Manager in AWS).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: a virtual environment with the package and all its adapters ----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
RUN python -m venv /opt/saltbitter
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN /opt/saltbitter/bin/pip install --no-cache-dir ".[all]" \
    && /opt/saltbitter/bin/python -m compileall -q /opt/saltbitter/lib

# ---- runtime: the environment only, run by an unprivileged user ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="saltbitter" \
      org.opencontainers.image.description="SaltBitter API, Celery worker and Beat" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --system --gid 10001 saltbitter \
    && useradd --system --uid 10001 --gid saltbitter --no-log-init \
       --home-dir /var/lib/saltbitter --create-home --shell /usr/sbin/nologin saltbitter
COPY --from=build /opt/saltbitter /opt/saltbitter
ENV PATH=/opt/saltbitter/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SALTBITTER_DATA_DIR=/var/lib/saltbitter \
    SALTBITTER_LOG_JSON=true
WORKDIR /var/lib/saltbitter
USER 10001:10001
EXPOSE 8000
# The worker and beat task definitions replace this check with their own (no HTTP port).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2).status != 200)"]
ENTRYPOINT ["saltbitter"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
