"""How fast this machine runs Python, and what idling between requests costs on it:
the run's context for its cost figures (DESIGN section 9, "cost").

The same code costs a process about twice the CPU when it sleeps between requests, as
every web worker does at 100 orders a second, than when it is kept busy
(`scripts/profile_intake.py --pace-ms 10`; bench/RESULTS.md, 2026-12-01): its caches
go cold while it sleeps, more so on some machines than on others. The bench's runs
are on shared machines of one kind whose speed differs from machine to machine and
drifts within the hour, so a run measures a fixed piece of Python before its
scenarios: back to back, then with `PACE_S` between pieces, as a web worker meets
requests at 100 a second. The piece reaches, as a request does, into much code (JSON,
headers, patterns, decimals, dates, URLs) and over tens of megabytes of objects, since
a piece that fits in a core's cache shows no cost of idling. The median piece's CPU
time each way, and their ratio, go into the JSON as `machine.speed`: two runs' cost
figures compare as their reference figures do."""

import datetime
import decimal
import email
import json
import random
import re
import statistics
import string
import textwrap
import time
import urllib.parse

PACE_S = 0.010
PIECES = 150
OBJECTS = 60_000
_sleep = time.sleep  # the tests' to skip

_HEADERS = "\r\n".join(f"X-Header-{index}: value {index}" for index in range(20)) + "\r\n\r\nbody"
_PATTERNS = [re.compile(p) for p in (r"\d+", r"[a-z]+@[a-z]+\.com", r"^BX-\d{5}$", r"(\w+)=(\w+)")]


def reference_objects() -> list[dict]:
    return [{"id": index, "name": f"{'x' * 40}{index}", "lines": list(range(20))} for index in range(OBJECTS)]


def reference_piece(objects: list[dict], offset: int) -> int:
    """The fixed piece of work, from `offset` in the objects."""
    total = sum(objects[(index + offset) % OBJECTS]["id"] for index in range(0, OBJECTS, 97))
    for document in objects[offset % (OBJECTS - 30) :][:30]:
        json.loads(json.dumps(document))
    email.message_from_string(_HEADERS)
    for pattern in _PATTERNS:
        pattern.findall("BX-12345 a=b c=d buyer@florist.com 123 456")
    total += int(decimal.Decimal("12.34") * 3 + decimal.Decimal("0.01"))
    datetime.datetime(2026, 12, 1, 10, 0).isoformat()
    urllib.parse.urlsplit("http://127.0.0.1:8050/api/v1/orders/?page=2&status=CONFIRMED")
    string.Template("$partner orders $lines lines").substitute(partner="BP0001", lines=3)
    textwrap.fill("tulips " * 40, 30)
    return total


def _median_piece_ms(objects: list[dict], offsets: list[int], pace_s: float) -> float:
    spent = []
    for offset in offsets:
        started = time.process_time()
        reference_piece(objects, offset)
        spent.append(time.process_time() - started)
        if pace_s:
            _sleep(pace_s)
    return 1000 * statistics.median(spent)


def machine_speed(*, pieces: int = PIECES, pace_s: float = PACE_S) -> dict:
    """The median CPU milliseconds of the reference piece back to back and paced, and
    the paced figure over the other (1.0 where idling costs nothing)."""
    objects = reference_objects()
    chosen = random.Random(7)
    offsets = [chosen.randrange(OBJECTS) for _ in range(pieces)]
    for offset in offsets[:20]:  # the first runs of any code are slower everywhere
        reference_piece(objects, offset)
    back_to_back = _median_piece_ms(objects, offsets, 0.0)
    paced = _median_piece_ms(objects, offsets, pace_s)
    return {
        "reference_ms": round(back_to_back, 3),
        "reference_paced_ms": round(paced, 3),
        "paced_over_back_to_back": round(paced / back_to_back, 2),
        "pace_ms": round(pace_s * 1000, 1),
    }
