"""Profile POST /api/v1/orders/ in one process, as production runs it: DEBUG off, the
middleware of the machines' door (config/machine_door.py), token authentication,
throttling, metrics and logging, through the WSGI application gunicorn serves
(config/wsgi.py) with a real token and an Idempotency-Key per order (no HTTP server, no
client library: what is measured is the platform's own Python, database and Redis
round trips included).

Against a database of your own holding the bench's world
(`manage.py bench_data --partners 20 --skus 200`):

    DATABASE_URL=postgres://.../bouquet_mine REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python scripts/profile_intake.py --orders 3000 [--profile] [--top 40]

It prints the CPU per request over the timed orders, without the profiler: this
process's (time.process_time), its PostgreSQL backend's and the Redis server's. With
--pace-ms it leaves that long between requests, as a gunicorn worker idles between
requests at a steady rate (about 30 ms at 100 orders/s over three workers): on the
bench's machines the same request then costs about twice the CPU it costs back to back
(caches gone cold while the process slept), which is why the bench's figure at 100/s
is about twice this one's. With --profile it runs them again under cProfile and prints
the top of the profile by own time and by cumulative time. Orders it places stay in
the database (in CREATED: no worker runs)."""

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import production_on_one_machine  # noqa: E402

# scripts/compare_intake.py starts gunicorn with these, and config/wsgi.py refuses to
# start without a metrics token.
PROFILE_ENVIRONMENT = {**production_on_one_machine(), "METRICS_TOKEN": secrets.token_hex(16)}
os.environ.update(PROFILE_ENVIRONMENT)
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="profile-intake-metrics-"))


BATCH = 100


def order_environ(token: str, body: bytes) -> dict:
    """The WSGI environ gunicorn hands Django for one order, as nginx forwards it."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/orders/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8050",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8050",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
        "HTTP_X_FORWARDED_FOR": "127.0.0.1",
        "HTTP_X_REQUEST_START": f"t={time.time():.3f}",
        "HTTP_ACCEPT": "*/*",
        "HTTP_USER_AGENT": "profile_intake",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def cpu_s(pid: int) -> float:
    """A process's CPU time in nanoseconds' resolution (/proc/PID/schedstat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def server_pids() -> tuple[int, int]:
    """This process's PostgreSQL backend and the Redis server it talks to."""
    from django.db import connection
    from django_redis import get_redis_connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    return backend, int(get_redis_connection("default").info("server")["process_id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--pace-ms", type=float, default=0.0, help="sleep this long between requests")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--dump", help="write the raw profile here (pstats)")
    args = parser.parse_args()

    import random

    import django

    django.setup()
    from config.wsgi import application as handler  # what gunicorn serves: the machines' door
    from devdata.bench_world import issue_bench_tokens
    from inventory.models import Product

    tokens = list(issue_bench_tokens().values())
    products = list(Product.objects.filter(sku__startswith="BX-").values_list("sku", "case_pack"))
    rng = random.Random(7)

    def body() -> bytes:
        lines = rng.sample(products, rng.randint(1, 3))
        return json.dumps(
            {
                "po_number": f"BENCH-{rng.randint(1, 10**6)}",
                "lines": [{"sku": sku, "quantity": pack * rng.randint(1, 3)} for sku, pack in lines],
            }
        ).encode()

    statuses: dict[str, int] = {}

    def start_response(status, headers, exc_info=None):
        statuses[status] = statuses.get(status, 0) + 1

    def send(count: int, pace_s: float = 0.0) -> None:
        for index in range(count):
            answer = handler(order_environ(tokens[index % len(tokens)], body()), start_response)
            b"".join(answer)
            answer.close()
            if pace_s:
                time.sleep(pace_s)

    send(args.warm)
    statuses.clear()
    servers = server_pids()
    # In batches: on a shared machine another process's load inflates a batch's CPU
    # (caches, frequency), so the quietest batches say most about the code.
    batches = []
    for _ in range(max(1, args.orders // BATCH)):
        started = (time.process_time(), *(cpu_s(pid) for pid in servers))
        send(BATCH, args.pace_ms / 1000)
        spent = (time.process_time(), *(cpu_s(pid) for pid in servers))
        batches.append(tuple(1000 * (after - before) / BATCH for before, after in zip(started, spent)))
    batches.sort()
    quietest = batches[: max(1, len(batches) // 5)]
    print(f"statuses: {statuses}")
    print(f"{len(batches) * BATCH} orders, {args.pace_ms:g} ms apart; ms CPU per request (intake, PostgreSQL, Redis):")
    for label, rows in (("mean", batches), ("median", [batches[len(batches) // 2]]), ("quietest fifth", quietest)):
        intake, postgres, redis = (sum(column) / len(rows) for column in zip(*rows))
        print(f"  {label}: {intake:.3f}, {postgres:.3f}, {redis:.3f}")
    if not args.profile:
        return
    profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting on PostgreSQL or Redis
    profiler.enable()
    send(args.orders)
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    for order in ("tottime", "cumulative"):
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(order).print_stats(args.top)


if __name__ == "__main__":
    main()
