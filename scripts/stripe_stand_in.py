"""Start the Stripe stand-in (localstripe) without its on-disk snapshot.

localstripe pickles its whole store to one fixed file in /tmp after every write, so
each write costs more than the one before (seen here: the stand-in at 80% CPU after a
few thousand PaymentIntents, and the payment step waiting on it), and every instance on
the machine writes the same file. We always start it from scratch, so the snapshot
serves nothing: this turns it off and starts the server with the same arguments."""

import sys

from localstripe import resources, server

resources.Store.dump_to_disk = lambda self: None

if __name__ == "__main__":
    sys.exit(server.start())
