"""Every Prometheus metric Vigie exposes, defined here and nowhere else.

The worker serves them on ``RADAR_METRICS_PORT`` (:func:`serve`); the API renders the same registry at
``/metrics`` (:func:`render`). Code paths only increment or observe the objects below, so a metric's name,
help text and labels are written once. Defining a metric does no I/O: nothing listens until :func:`serve`.

Counters count what happened in this process since it started; Prometheus sums them over processes.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)

# The default registry also carries the process and platform collectors (CPU, memory, open files).
registry: CollectorRegistry = REGISTRY

items_collected = Counter(
    "vigie_items_collected",
    "New items stored by collection, by source.",
    ["source"],
    registry=registry,
)
fetch_errors = Counter(
    "vigie_fetch_errors",
    "Source fetches that failed (network, HTTP status, parse or store), by source.",
    ["source"],
    registry=registry,
)
items_embedded = Counter(
    "vigie_items_embedded",
    "Items embedded; its rate is the embedding rate.",
    registry=registry,
)
embedding_seconds = Histogram(
    "vigie_embedding_seconds",
    "Seconds spent embedding one batch of items.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=registry,
)
analysis_seconds = Histogram(
    "vigie_analysis_seconds",
    "Seconds one analysis run took (topic fit, tracking, signals), by outcome.",
    ["outcome"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=registry,
)
alerts_sent = Counter(
    "vigie_alerts_sent",
    "Alerts delivered, by channel (slack, ...).",
    ["channel"],
    registry=registry,
)
items_purged = Counter(
    "vigie_items_purged",
    "Items deleted by the retention policy or on request (forget).",
    ["reason"],
    registry=registry,
)


def render() -> tuple[bytes, str]:
    """The exposition text of every metric and its content type, for an HTTP ``/metrics`` handler."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


def serve(port: int, addr: str = "0.0.0.0") -> None:
    """Serve ``/metrics`` on ``addr:port`` from a daemon thread; ``port`` 0 means metrics are off.

    Binds all addresses by default because in a container Prometheus scrapes from another host on the
    compose network; the port is not published outside it.
    """
    if port:
        start_http_server(port, addr=addr, registry=registry)
