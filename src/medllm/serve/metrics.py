"""Prometheus metrics of one server (its own registry, so two apps in a process do not mix):
requests by endpoint and status, latency and time-to-first-token histograms, tokens, queue depth,
guardrail actions. Labels hold endpoints, statuses, model ids and action names, never request text."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120)


class Metrics:
    def __init__(self, queue_depth: Callable[[], float], running: Callable[[], float]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "medllm_requests", "HTTP requests", ["endpoint", "status"], registry=r
        )
        self.latency = Histogram(
            "medllm_request_seconds", "request latency", ["endpoint"], buckets=BUCKETS, registry=r
        )
        self.ttft = Histogram(
            "medllm_time_to_first_token_seconds",
            "time to the first streamed piece",
            ["model"],
            buckets=BUCKETS,
            registry=r,
        )
        self.tokens = Counter("medllm_tokens", "tokens", ["model", "kind"], registry=r)
        self.guardrail = Counter(
            "medllm_guardrail_actions", "guardrail actions", ["action"], registry=r
        )
        Gauge("medllm_queue_depth", "requests waiting for a worker", registry=r).set_function(
            queue_depth
        )
        Gauge("medllm_generating", "requests being generated", registry=r).set_function(running)

    def text(self) -> bytes:
        return generate_latest(self.registry)
