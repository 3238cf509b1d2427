"""The settings of running at peak (docs/ARCHITECTURE.md, "Operating at peak"), from the
environment, kept apart from config/settings.py for length."""

import os
from pathlib import Path


def metrics_dir(base_dir: Path) -> Path:
    """Where every process of this machine writes its metric values (prometheus_client's
    multiprocess mode), made to exist. It must be in the environment before
    prometheus_client is first imported, and the processes it starts inherit it."""
    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or base_dir / ".run" / "metrics")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def shed_after_seconds() -> float:
    """How long a request may have waited in front of the web workers (the proxy's
    X-Request-Start) before it is answered 503 with Retry-After, doing no work."""
    return float(os.environ.get("SHED_AFTER_SECONDS") or 1.0)
