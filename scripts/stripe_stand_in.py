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
from pathlib import Path

from localstripe import resources, server, webhooks

resources.Store.dump_to_disk = lambda self: None


def keep_store(path: Path) -> None:
    """Its objects and its webhook endpoints, as Stripe keeps both."""
    if path.exists():
        with path.open("rb") as handle:
            saved = pickle.load(handle)
        resources.store.update(saved["store"])
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
