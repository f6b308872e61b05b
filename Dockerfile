# syntax=docker/dockerfile:1
#
# One image for every Vigie process: the worker, the API and the dashboard.
# docker-compose.yml picks the process with `command:`; the default below is the API.
#
#   docker build -t vigie .

# ---------------------------------------------------------------------------
# Build stage: a virtualenv with the project and its dependencies in /opt/venv.
# Compilers live here only, in case a dependency has no wheel for this platform.
# ---------------------------------------------------------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv

# Torch first, from the CPU-only index, so that nothing later pulls the CUDA build (several GB).
# The project pins torch==2.13.0; the installed 2.13.0+cpu satisfies that pin, so `pip install .`
# keeps it. This layer comes before the source copy and stays cached across code changes.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

WORKDIR /src
COPY . .
RUN pip install . \
    && pip check

# ---------------------------------------------------------------------------
# Runtime stage: no compilers, no source tree, a non-root user.
# ---------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    RADAR_HOME=/data \
    HF_HUB_DISABLE_TELEMETRY=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# /data is created and owned by the app user before it is declared a volume, so a fresh named
# volume mounted there starts out writable by that user.
RUN groupadd --system --gid 10001 vigie \
    && useradd --system --uid 10001 --gid vigie --home-dir /home/vigie --create-home vigie \
    && mkdir -p /data \
    && chown vigie:vigie /data

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
USER vigie

# RADAR_HOME: config/ (written by `radar init`); the SQLite store and cache file if no database/Redis URL.
VOLUME ["/data"]

# 8000: API (`radar serve`), 8501: dashboard (`radar dashboard`).
EXPOSE 8000 8501

# Matches the default command (the API). docker-compose.yml sets a healthcheck per service.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["radar", "serve", "--host", "0.0.0.0", "--port", "8000"]
