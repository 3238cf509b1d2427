"""What the spike's clients were answered (docs/DESIGN.md section 7: overload is shed,
not queued): each request ends in 202, a 503 (with Retry-After, or not), a client
timeout, or something else; and an order placed for a request whose client had
already given up is an order nobody knows of, which the shedding must prevent."""

from collections import Counter

from bench.loadgen import CLIENT_TIMEOUT_S, Sample, percentile


def answer_kind(sample: Sample) -> str:
    if sample.timed_out:
        return "timeout"
    if sample.status in (202, 503):
        return str(sample.status)
    return "other"


def refused_by(sample: Sample) -> str:
    """Who answered a 503: nginx itself (no web host free or reachable, `code`
    `unavailable`) or the application's shedding (`overloaded`), by the answer's body."""
    code = sample.body.get("code") if isinstance(sample.body, dict) else None
    return {"unavailable": "nginx", "overloaded": "application"}.get(code, "unknown")


def answer_figures(samples: list[Sample]) -> dict:
    """Return the counts of each kind of answer, the slowest answer, whether every
    request was answered within the client's timeout, the 503s without Retry-After, and
    how soon the 503s came (DESIGN section 9: within 100 ms) and from whom."""
    kinds = Counter(answer_kind(sample) for sample in samples)
    answered = [sample.latency_s for sample in samples if not sample.timed_out and sample.status]
    slowest = max(answered, default=0.0)
    refused = [sample for sample in samples if sample.status == 503]
    refused_ms = [sample.latency_s * 1000 for sample in refused]
    return {
        "answers": {kind: kinds.get(kind, 0) for kind in ("202", "503", "timeout", "other")},
        "slowest_answer_s": round(slowest, 2),
        "answered_within_10s": kinds["timeout"] == 0 and kinds["other"] == 0 and slowest <= CLIENT_TIMEOUT_S,
        "shed_without_retry_after": sum(1 for s in samples if s.status == 503 and not s.retry_after),
        "shed_p50_ms": round(percentile(refused_ms, 0.50), 1) if refused else None,
        "shed_p99_ms": round(percentile(refused_ms, 0.99), 1) if refused else None,
        "shed_slowest_ms": round(max(refused_ms), 1) if refused else None,
        "shed_by": dict(Counter(refused_by(sample) for sample in refused)),
    }


def orders_placed_after_client_gave_up(samples: list[Sample]) -> int:
    """Count the orders in the database whose Idempotency-Key is one a client timed out
    on: placed, but the answer never reached anyone."""
    from orders.models import IdempotencyRecord

    given_up = [sample.idempotency_key for sample in samples if sample.timed_out and sample.idempotency_key]
    if not given_up:
        return 0
    return IdempotencyRecord.objects.filter(key__in=given_up, order__isnull=False).count()


def unanswered_properly(samples: list[Sample]) -> int:
    """Count the requests answered neither 202 nor 503 with Retry-After (a timeout
    counts): the spike's errors, as a client that retries on 503 sees them."""
    return sum(1 for s in samples if not (s.status == 202 or (s.status == 503 and s.retry_after)))
