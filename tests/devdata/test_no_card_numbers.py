"""No card number in our code outside tests/: the demo and the benchmark set their
cards through SetupIntents with Stripe's test payment methods, and the portal's cards
go from the browser to Stripe. A card number here is any run of 13 to 19 digits that
passes the Luhn check."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIGITS = re.compile(r"(?<![\d.])\d{13,19}(?![\d.])")
SCANNED = (".py", ".html", ".js", ".json", ".csv", ".md", ".toml", ".env", ".sh", ".yml", ".yaml", ".conf")


def passes_luhn(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def our_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [
        ROOT / name
        for name in listed.splitlines()
        if not name.startswith("tests/") and name.endswith(SCANNED) and (ROOT / name).is_file()
    ]


def test_luhn_tells_a_card_number_from_other_digits():
    assert passes_luhn("4242424242424242") and not passes_luhn("4242424242424241")


def test_no_card_number_is_in_our_code_outside_tests():
    found = [
        f"{path.relative_to(ROOT)}: {number}"
        for path in our_files()
        for number in DIGITS.findall(path.read_text(errors="replace"))
        if passes_luhn(number)
    ]

    assert found == []
