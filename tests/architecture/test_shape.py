"""The habits that keep the code's shape (docs/STYLE.md): imports point down the
layers, and no module or function grows past what a reader takes in at once."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPLICATION = (
    "config",
    "inventory",
    "partners",
    "payments",
    "fulfillment",
    "orders",
    "uploads",
    "journey",
    "portal",
    "backoffice",
    "devdata",
    "bench",
)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def application_modules():
    for package in APPLICATION:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint_imports, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_application_module_is_over_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in application_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_application_function_is_over_60_lines():
    too_long = {}
    for path in application_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = node.body[0].lineno  # decorators and the signature do not count
                if (lines := node.end_lineno - first + 1) > MAX_FUNCTION_LINES:
                    too_long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert too_long == {}
