"""The campaign page's forms. A pre-book is typed in cases: a whole number of cases per
product (blank or 0 for none), which the form turns into units (cases × case pack),
and one of the partner's addresses. The rules (minimum, caps, the window) are
orders.prebooks' to check; the form only parses what the browser sent."""

import hashlib
import json
import uuid

from django import forms

from orders.models import CampaignProduct, Prebook
from orders.validation import parse_whole_number
from partners.models import Partner, ShipToAddress

# A number of cases has at most this many digits; the service refuses what passes
# its own maximum quantity, in units.
CASES_MAX_DIGITS = 7


def cases_field_name(product_id: int) -> str:
    return f"cases_{product_id}"


class PrebookForm(forms.Form):
    """Cases per product of the campaign and the ship-to; `lines` (after is_valid) are
    the pre-book's lines in units, in the campaign's product order. `token` is the
    form's own idempotency key: a second click on "Pre-book" replays the first."""

    ship_to = forms.TypedChoiceField(
        label="Ship to", coerce=int, error_messages={"invalid_choice": "Choose one of your addresses."}
    )
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, products: list[CampaignProduct], partner: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = products
        addresses = ShipToAddress.objects.filter(partner=partner).order_by("-is_default", "label")
        self.fields["ship_to"].choices = [(address.id, f"{address.label}, {address.city}") for address in addresses]
        for entry in products:
            self.fields[cases_field_name(entry.product_id)] = forms.CharField(
                label=f"Cases of {entry.product.sku}",
                required=False,
                max_length=CASES_MAX_DIGITS + 2,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5, "class": "qty"}),
            )
        self.lines: list[dict] = []
        # The field each line of `lines` came from, so a refusal of line N lands there.
        self.line_fields: list[str] = []

    def clean(self):
        cleaned = super().clean()
        self.lines, self.line_fields = [], []
        for entry in self.products:
            name = cases_field_name(entry.product_id)
            typed = (cleaned.get(name) or "").strip()
            if not typed:
                continue
            cases = parse_whole_number(typed)
            if cases is None or len(typed) > CASES_MAX_DIGITS:
                self.add_error(name, f"{entry.product.sku}: enter a whole number of cases (0 for none).")
                continue
            if cases:
                self.lines.append({"sku": entry.product.sku, "quantity": cases * entry.product.case_pack})
                self.line_fields.append(name)
        return cleaned

    def product_fields(self) -> list[tuple[CampaignProduct, forms.BoundField]]:
        """Each product of the campaign with its field of cases, in order."""
        return [(entry, self[cases_field_name(entry.product_id)]) for entry in self.products]

    def field_of_line(self, line_no: int) -> str | None:
        """The field line `line_no` (from 1) of `lines` came from."""
        return self.line_fields[line_no - 1] if 1 <= line_no <= len(self.line_fields) else None

    def idempotency_key(self) -> str:
        token = self.cleaned_data.get("token") or ""
        return f"portal:{token}" if token else ""

    def fingerprint(self) -> str:
        """What the form asked, so that its token sent again with other lines is refused."""
        body = json.dumps({"ship_to": self.cleaned_data.get("ship_to"), "lines": self.lines}, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()


def new_prebook_form(*, products: list[CampaignProduct], partner: Partner) -> PrebookForm:
    """A blank pre-book form with a fresh token."""
    return PrebookForm(products=products, partner=partner, initial={"token": uuid.uuid4().hex})


def change_form(prebook: Prebook, *, products: list[CampaignProduct], partner: Partner, data=None) -> PrebookForm:
    """The form changing `prebook`, filled with its lines in cases and its ship-to."""
    quantities = {line.product_id: line.quantity for line in prebook.lines.all()}
    initial = {"ship_to": prebook.ship_to_id}
    for entry in products:
        if entry.product_id in quantities:
            initial[cases_field_name(entry.product_id)] = quantities[entry.product_id] // entry.product.case_pack
    return PrebookForm(data, products=products, partner=partner, initial=initial, prefix=f"prebook-{prebook.id}")


class PrebookFileForm(forms.Form):
    file = forms.FileField(label="CSV file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))
