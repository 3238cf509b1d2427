"""The chaos platform's settings: the product's (config.settings), and the deploy
rehearsal's app (bench/deploy_rehearsal) once its release is on disk, which is the
file CHAOS_RELEASE_MARKER names. Every process started after the release (the
migrate command, a web worker after HUP, a restarted journey worker) imports the new
release; the processes started before it keep the old one, as in a real deploy."""

import os
from pathlib import Path

from config import settings as product

globals().update({name: value for name, value in vars(product).items() if name.isupper()})

_release = os.environ.get("CHAOS_RELEASE_MARKER")
if _release and Path(_release).exists():
    INSTALLED_APPS = [*product.INSTALLED_APPS, "bench.deploy_rehearsal"]
