"""Split a cold intake request's CPU between the door and the rule, in one process.

Three kinds of request take turns, each after the same pause (`--pace-ms`, 30 by
default: what each of three web workers slept at 100 orders a second before the first
idle worker took each connection):

- `door`: POST /api/v1/orders/ through the WSGI application gunicorn serves, as
  `scripts/profile_intake.py` sends it (the machines' middleware, DRF, the token, the
  rate window, the answer);
- `rule`: `orders.intake.place_order` called directly, the partner and user in hand;
- `floor`: the bench's bare view inserting one row (config/bench.py), through the same
  machines' handler: Django's own floor.

It prints each kind's mean user and system CPU a request, paced, then back to back.
On 2026-12-01 (bench/RESULTS.md, 14:20 to 15:00): user time 3.25, 1.60 and 0.90 ms
paced, 1.11, 0.75 and 0.38 back to back; at 16:11, 2.79, 1.79 and 0.94 paced: the door
is a third to a half of a cold request.

Against a database of your own holding the bench's world, as profile_intake.py:

    DATABASE_URL=postgres://.../bouquet_mine REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python scripts/split_intake.py [--requests 400] [--pace-ms 30]

Orders it places stay in the database (in CREATED: no worker runs)."""

import argparse
import json
import os
import random
import resource
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ["BENCH_CEILING_VIEW"] = "1"  # mounts the floor's view
import profile_intake  # noqa: E402  (sets the environment as production runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="of each kind, paced and back to back")
    parser.add_argument("--pace-ms", type=float, default=30.0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from config.wsgi import application
    from devdata.bench_world import issue_bench_tokens
    from inventory.models import Product
    from orders.idempotency import fingerprint_request
    from orders.intake import place_order
    from partners.models import Membership

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY, payload text, at "
            "timestamptz DEFAULT now())"
        )
    tokens = list(issue_bench_tokens().items())
    members = {
        membership.partner.code: membership
        for membership in Membership.objects.filter(partner__code__in=[code for code, _ in tokens]).select_related(
            "user", "partner"
        )
    }
    products = list(Product.objects.filter(sku__startswith="BX-").values_list("sku", "case_pack"))
    rng = random.Random(7)
    statuses: dict[str, int] = {}

    def body() -> dict:
        lines = rng.sample(products, rng.randint(1, 3))
        return {
            "po_number": f"SPLIT-{rng.randint(1, 10**6)}",
            "lines": [{"sku": sku, "quantity": pack * rng.randint(1, 3)} for sku, pack in lines],
        }

    def start_response(status, headers, exc_info=None):
        statuses[status] = statuses.get(status, 0) + 1

    def through(handler, environ) -> None:
        answer = handler(environ, start_response)
        b"".join(answer)
        answer.close()

    def door(index: int) -> None:
        _, token = tokens[index % len(tokens)]
        through(application, profile_intake.order_environ(token, json.dumps(body()).encode()))

    def rule(index: int) -> None:
        member = members[tokens[index % len(tokens)][0]]
        order = body()
        place_order(
            partner=member.partner,
            user=member.user,
            lines=order["lines"],
            po_number=order["po_number"],
            idempotency_key=uuid.uuid4().hex,
            request_fingerprint=fingerprint_request(order),
        )

    def floor(index: int) -> None:
        environ = profile_intake.order_environ(tokens[0][1], json.dumps(body()).encode())
        environ["PATH_INFO"] = "/bench/ceiling/"
        through(getattr(application, "machines", application), environ)

    kinds = {"door": door, "rule": rule, "floor": floor}
    for index in range(args.requests // 4):  # the first runs of any code are slower everywhere
        for kind in kinds.values():
            kind(index)
    for label, pace_s in ((f"{args.pace_ms:g} ms apart", args.pace_ms / 1000), ("back to back", 0.0)):
        spent = {name: [0.0, 0.0] for name in kinds}
        for index in range(args.requests):
            for name, kind in kinds.items():
                before = resource.getrusage(resource.RUSAGE_SELF)
                kind(index)
                after = resource.getrusage(resource.RUSAGE_SELF)
                spent[name][0] += after.ru_utime - before.ru_utime
                spent[name][1] += after.ru_stime - before.ru_stime
                if pace_s:
                    time.sleep(pace_s)
        figures = ", ".join(
            f"{name} {1000 * user / args.requests:.2f} + {1000 * system / args.requests:.2f}"
            for name, (user, system) in spent.items()
        )
        print(f"{label}, ms CPU a request (user + system): {figures}")
    print(f"statuses: {statuses}")


if __name__ == "__main__":
    main()
