"""Start the Stripe stand-in (localstripe) without its on-disk snapshot.

localstripe pickles its whole store to one fixed file in /tmp after every write, so
each write costs more than the one before (seen here: the stand-in at 80% CPU after a
few thousand PaymentIntents, and the payment step waiting on it), and every instance on
the machine writes the same file. This turns that off and starts the server with the
same arguments.

`--keep-store FILE` keeps the store across a stop and a start instead: it is read from
FILE at start and written there once when the stand-in stops (SIGTERM or Ctrl-C), so
`make chaos` can take "Stripe" away for a while without it forgetting its customers."""

import argparse
import atexit
import pickle
import sys
from collections import Counter, defaultdict
from pathlib import Path

from aiohttp import web
from localstripe import resources, server, webhooks

resources.Store.dump_to_disk = lambda self: None

# localstripe lists a kind of object by walking its whole store, and exporting a charge
# (in every PaymentIntent's answer and webhook) lists its refunds so: each card payment
# cost more than the one before (the bench's stand-in went from 7 ms a card order to 34
# after 30,000 orders, then 60). This keeps the store's keys indexed by kind, and lists
# a kind from its index.
_by_kind: dict[str, dict] = defaultdict(dict)


def _index(key: str, value) -> None:
    _by_kind[key.split(":", 1)[0]][key] = value


def _set(self, key, value):
    dict.__setitem__(self, key, value)
    _index(key, value)


def _delete(self, key):
    dict.__delitem__(self, key)
    _by_kind[key.split(":", 1)[0]].pop(key, None)


def _list_all(cls, url, limit=None, starting_after=None, **kwargs):
    if kwargs:
        raise resources.UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
    listed = resources.List(url, limit=limit, starting_after=starting_after)
    listed._list = list(_by_kind[cls.object].values())
    return listed


resources.Store.__setitem__ = _set
resources.Store.__delitem__ = _delete
resources.StripeObject._api_list_all = classmethod(_list_all)


# The API requests served, by method and kind of object ("GET payment_intents"), so a
# test can show that a path of ours made no Stripe call: GET /_config/requests reads
# them. The stand-in's own configuration routes are not counted.
_served: Counter = Counter()


@web.middleware
async def _count_requests(request, handler):
    parts = request.path.split("/")
    if len(parts) > 2 and parts[1] == "v1":
        _served[f"{request.method} {parts[2]}"] += 1
    return await handler(request)


async def _requests_served(request):
    return web.json_response({"total": sum(_served.values()), "by_kind": dict(_served)})


server.app.middlewares.insert(0, _count_requests)
server.app.router.add_get("/_config/requests", _requests_served)


def keep_store(path: Path) -> None:
    """Its objects and its webhook endpoints, as Stripe keeps both."""
    if path.exists():
        with path.open("rb") as handle:
            saved = pickle.load(handle)
        resources.store.update(saved["store"])
        for key, value in resources.store.items():
            _index(key, value)
        webhooks._webhooks.update(saved["webhooks"])

    def save():
        partial = path.with_suffix(".partial")
        with partial.open("wb") as handle:
            pickle.dump(
                {"store": dict(resources.store), "webhooks": dict(webhooks._webhooks)},
                handle,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        partial.replace(path)

    atexit.register(save)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--keep-store", type=Path)
    ours, rest = parser.parse_known_args()
    sys.argv = [sys.argv[0], *rest]
    if ours.keep_store:
        keep_store(ours.keep_store)
    sys.exit(server.start())
