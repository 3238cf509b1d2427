"""The alert rules as promtool sees them: valid, each alert's unit tests passing
(deploy/prometheus/rules_test.yml: firing and not firing), and the scrape config
valid. Prometheus comes from Debian's package (scripts/ensure_prometheus.sh, which
make test runs)."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "prometheus"


def promtool(*args: str, cwd: Path = DEPLOY) -> subprocess.CompletedProcess:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool is missing: scripts/ensure_prometheus.sh installs it (make test runs it)")
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_rules_are_valid():
    result = promtool("check", "rules", "rules.yml")

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_unit_tests_and_they_pass():
    groups = yaml.safe_load((DEPLOY / "rules.yml").read_text())["groups"]
    alerts = {rule["alert"] for group in groups for rule in group["rules"]}
    tests = yaml.safe_load((DEPLOY / "rules_test.yml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test["alert_rule_test"]}
    firing = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"]}
    quiet = {case["alertname"] for test in tests for case in test["alert_rule_test"] if not case["exp_alerts"]}

    result = promtool("test", "rules", "rules_test.yml")

    assert result.returncode == 0, result.stdout + result.stderr
    assert alerts == tested == firing == quiet


def test_the_scrape_config_is_valid(tmp_path):
    # Its token file is a host's; here one of the test's.
    token = tmp_path / "bouquet_metrics_token"
    token.write_text("a-token\n")
    config = (DEPLOY / "prometheus.yml").read_text().replace("/etc/prometheus/bouquet_metrics_token", str(token))
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(DEPLOY / "rules.yml", tmp_path / "rules.yml")

    result = promtool("check", "config", "prometheus.yml", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
