"""Measure what Stripe's webhook costs in one process, as the webhook pool runs it: its
settings and short middleware (config/webhook_wsgi.py), signed events, a new event
id each, about PaymentIntents of orders that have moved on (the usual case: the
confirm call answered first). It prints the CPU per webhook of this process
(time.process_time) and of its PostgreSQL backend, over the quietest third of the
batches (another process's load inflates a batch's CPU) and the median.

Against a database of your own holding orders paid by card, for instance after
scripts/profile_journey.py:

    DATABASE_URL=postgres://.../bouquet_mine REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python scripts/profile_webhook.py --events 2000

To compare two checkouts, run it from each in turn, a few times, interleaved."""

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import profile_intake  # noqa: E402, F401  (sets the environment as production runs)

BATCH = 100


def backend_cpu_s(pid: int) -> float:
    """The backend's CPU so far, at nanosecond resolution (/proc/PID/schedstat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def event_environ(payment_intent_id: str, secret: str) -> dict:
    """The WSGI environ the pool's gunicorn hands Django for one signed event."""
    body = json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": payment_intent_id, "object": "payment_intent", "status": "succeeded"}},
        }
    ).encode()
    sent_at = int(time.time())
    signature = hmac.new(secret.encode(), f"{sent_at}.".encode() + body, hashlib.sha256).hexdigest()
    environ = profile_intake.order_environ("", body)
    del environ["HTTP_AUTHORIZATION"], environ["HTTP_IDEMPOTENCY_KEY"]
    return {**environ, "PATH_INFO": "/payments/stripe/webhook/", "HTTP_STRIPE_SIGNATURE": f"t={sent_at},v1={signature}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--warm", type=int, default=200)
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.webhook_pool_settings"
    from django.conf import settings
    from django.db import connection

    from config.webhook_wsgi import application
    from payments.models import Payment

    intents = list(
        Payment.objects.exclude(stripe_payment_intent_id=None).values_list("stripe_payment_intent_id", flat=True)[:5000]
    )
    if not intents:
        raise SystemExit("No card payment with a PaymentIntent here: run scripts/profile_journey.py first.")
    statuses: dict[str, int] = {}

    def start_response(status, headers, exc_info=None):
        statuses[status] = statuses.get(status, 0) + 1

    def send(count: int, first: int) -> None:
        for index in range(first, first + count):
            environ = event_environ(intents[index % len(intents)], settings.STRIPE_WEBHOOK_SECRET)
            answer = application(environ, start_response)
            b"".join(answer)
            answer.close()

    send(args.warm, 0)
    statuses.clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    batches = []
    for number in range(max(1, args.events // BATCH)):
        started, backend_started = time.process_time(), backend_cpu_s(backend)
        send(BATCH, args.warm + number * BATCH)
        batches.append(
            (1000 * (time.process_time() - started) / BATCH, 1000 * (backend_cpu_s(backend) - backend_started) / BATCH)
        )
    batches.sort()
    quietest = batches[: max(1, len(batches) // 3)]
    process, backend_ms = (sum(batch[i] for batch in quietest) / len(quietest) for i in (0, 1))
    print(f"statuses: {statuses}")
    print(
        f"{len(batches) * BATCH} webhooks, ms CPU per webhook, quietest third: process {process:.3f}, "
        f"backend {backend_ms:.3f}; median: process {batches[len(batches) // 2][0]:.3f}"
    )


if __name__ == "__main__":
    main()
