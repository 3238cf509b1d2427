"""An ERP integration written against a client generated from the live schema, as an
integrator would write it: openapi-python-client with --fail-on-warning, then only the
generated functions and models, no hand-written request, header or parser. It places,
follows and cancels orders, reads the event feed with its cursor and syncs stock with
a version. Where the schema is vague the generated client degrades (no model for an
answer, `Unset` for a field always there, the wrong auth prefix) and this test fails."""

import importlib
import json
import subprocess
import sys

import httpx
import pytest
from rest_framework.test import APIClient

from config.wsgi import application

pytestmark = pytest.mark.slow

PACKAGE = "bouquet_erp_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package, generated from the schema as served, and imported."""
    folder = tmp_path_factory.mktemp("client")
    schema_file = folder / "schema.json"
    schema_file.write_text(json.dumps(APIClient().get("/api/schema/", {"format": "json"}).json()))
    config = folder / "config.json"
    # No post hooks: the generated code is imported, not formatted.
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema_file), "--meta", "none",
         "--config", str(config), "--fail-on-warning", "--output-path", str(folder / PACKAGE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def api(generated, name: str):
    return importlib.import_module(f"{PACKAGE}.api.v1.{name}")


def models(generated):
    return importlib.import_module(f"{PACKAGE}.models")


def client_for(generated, token: str):
    """The generated client as its README says to make one: a token, nothing else."""
    return generated.AuthenticatedClient(
        base_url="http://testserver", token=token, httpx_args={"transport": httpx.WSGITransport(app=application)}
    )
