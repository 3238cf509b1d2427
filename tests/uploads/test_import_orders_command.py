"""`manage.py import_orders FILE --partner CODE`: the portal's importer, run at once,
with a progress bar on stderr, a summary on stdout and a failing exit when rejected."""

import pytest
from django.core.management import CommandError, call_command

from orders.models import CsvUpload, Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(make_product):
    return [make_product("ROSE", case_pack=10), make_product("VASE", case_pack=1, min_order_qty=5)]


def write(tmp_path, text: str | bytes, name="orders.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_places_the_orders_and_prints_a_summary(account_buyer, catalogue, tmp_path, capsys):
    path = write(tmp_path, "sku,quantity,po_number\nROSE,20,PO-1\nVASE,5,PO-1\nROSE,10,PO-2\n")

    call_command("import_orders", str(path), "--partner", "FERN")

    out, err = capsys.readouterr()
    numbers = list(Order.objects.order_by("id").values_list("number", flat=True))
    assert len(numbers) == 2 and all(o.source == Order.Source.CSV for o in Order.objects.all())
    assert f"Upload #{CsvUpload.objects.get().id} (orders.csv): done; 3 rows, 2 orders created." in out
    assert f"{numbers[0]}  PO PO-1  2 rows" in out
    assert "3/3" in err and "row" in err  # tqdm's bar


def test_rejects_a_file_with_bad_rows_listing_them_and_placing_nothing(account_buyer, catalogue, tmp_path, capsys):
    path = write(tmp_path, "sku,quantity\nROSE,20\nNOPE,1\nVASE,2\n")

    with pytest.raises(CommandError, match=r"Rejected: 2 bad rows; nothing was placed\."):
        call_command("import_orders", str(path), "--partner", "FERN")

    out = capsys.readouterr().out
    assert "Line 3: NOPE is not in the catalogue." in out
    assert "Line 4: the minimum order for VASE is 5; got 2." in out
    assert not Order.objects.exists()


def test_valid_rows_only_places_the_good_ones(account_buyer, catalogue, tmp_path, capsys):
    path = write(tmp_path, "sku,quantity\nROSE,20\nNOPE,1\n")

    call_command("import_orders", str(path), "--partner", "FERN", "--valid-rows-only")

    assert Order.objects.count() == 1
    assert "Line 3: NOPE is not in the catalogue." in capsys.readouterr().out


def test_refuses_a_file_that_is_not_utf8(account_buyer, catalogue, tmp_path):
    path = write(tmp_path, "sku,quantity,po_number\nROSE,20,Noël\n".encode("latin-1"))

    with pytest.raises(CommandError, match=r"not UTF-8 \(looks like Windows-1252/Latin-1\?\): save it as CSV UTF-8"):
        call_command("import_orders", str(path), "--partner", "FERN")
    assert not CsvUpload.objects.exists()


def test_refuses_the_same_file_twice(account_buyer, catalogue, tmp_path):
    path = write(tmp_path, "sku,quantity\nROSE,20\n")
    call_command("import_orders", str(path), "--partner", "FERN")

    with pytest.raises(CommandError, match=r"already uploaded as upload #\d+ \(orders.csv"):
        call_command("import_orders", str(path), "--partner", "FERN")
    assert Order.objects.count() == 1


def test_names_an_unknown_partner_and_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No partner with code NOPE."):
        call_command("import_orders", str(tmp_path / "x.csv"), "--partner", "NOPE")


def test_exits_non_zero_from_the_shell_when_rejected(account_buyer, catalogue, tmp_path):
    from django.core.management import ManagementUtility

    path = write(tmp_path, "sku,quantity\nNOPE,1\n")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_orders", str(path), "--partner", "FERN"]).execute()
    assert exited.value.code == 1
