"""The portal's forms: they parse what the browser sent; the rules (case packs, minimums,
ship-to ownership, dates) are the services' to check, so quantities stay text here and
reach `validate_lines` as typed."""

import re

from django import forms
from django.urls import reverse

from orders.delivery import default_address_id
from orders.models import OrderStatus
from orders.validation import parse_whole_number
from partners.models import ShipToAddress

QUICK_ORDER_ROWS = 8
_SEPARATOR = re.compile(r"[\t;,]")
_ROW_FIELD = re.compile(r"sku_([0-9]{1,4})")


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label="Search name or SKU",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. rose or RO-"}),
    )
    category = forms.ChoiceField(label="Category", required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "All categories")] + [(c, c.capitalize()) for c in categories]


class AddToCartForm(forms.Form):
    sku = forms.CharField(max_length=40, widget=forms.HiddenInput)
    quantity = forms.CharField(label="Quantity", max_length=12)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def parse_pasted_lines(text: str) -> list[dict]:
    """Read spreadsheet lines "SKU<tab, comma or semicolon>quantity" into lines; blank
    lines and a header row ("sku", "quantity") are skipped."""
    lines = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        # Extra columns (a note, a price) are ignored: SKU first, quantity second.
        parts = [part.strip() for part in _SEPARATOR.split(raw)]
        sku, quantity = parts[0], parts[1] if len(parts) > 1 else ""
        if not lines and sku.lower() == "sku" and parse_whole_number(quantity) is None:
            continue
        lines.append({"sku": sku, "quantity": quantity})
    return lines


class QuickOrderForm(forms.Form):
    """Rows of SKU and quantity (`sku_1`, `quantity_1`, ...) plus a pasted block."""

    paste = forms.CharField(
        label="Or paste from a spreadsheet",
        required=False,
        max_length=200_000,
        help_text="One line per product: SKU and quantity separated by a tab, comma or semicolon.",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "RO-NAOMI-50\t100\nTU-STRONG-GOLD;50"}),
    )

    def rows(self) -> list[dict]:
        """The filled-in rows in order, then the pasted lines."""
        return self.typed_rows() + parse_pasted_lines(self.cleaned_data.get("paste", ""))

    def typed_rows(self) -> list[dict]:
        """The filled-in rows in order."""
        data = self.data
        # ASCII digits, and few: a field name is the browser's to send, not a number to trust.
        row_numbers = sorted({int(m.group(1)) for key in data for m in [_ROW_FIELD.fullmatch(key)] if m})
        lines = []
        for n in row_numbers:
            sku = (data.get(f"sku_{n}") or "").strip()
            quantity = (data.get(f"quantity_{n}") or "").strip()
            if sku or quantity:
                lines.append({"sku": sku, "quantity": quantity})
        return lines


class DeliveryChoiceForm(forms.Form):
    """Where and when to deliver: one of the partner's addresses, and a date picked from
    the promise's options for it (`offer_dates`). A posted date that is no option is
    still read as a date: intake refuses it naming the date, the reason and the next
    available date. Changing the address asks for its dates (htmx), or, without
    JavaScript, the page's "Show dates" button does."""

    ship_to = forms.ModelChoiceField(
        label="Ship to", queryset=ShipToAddress.objects.none(), empty_label=None, required=False
    )
    requested_delivery_date = forms.DateField(label="Delivery date", required=False, widget=forms.Select)

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        ship_to = self.fields["ship_to"]
        # In intake's order (orders.intake_cache), so the address shown first is the
        # one an order naming none ships to, and the one whose dates are offered.
        ship_to.queryset = ShipToAddress.objects.filter(partner=partner).order_by("-is_default", "id")
        if not self.is_bound and self.initial.get("ship_to") is None:
            self.initial["ship_to"] = default_address_id(partner=partner)
        ship_to.error_messages["invalid_choice"] = "Choose one of your own addresses."
        ship_to.widget.attrs.update(
            {
                "hx-get": reverse("portal:delivery-dates"),
                "hx-target": "#delivery-date-field",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )

    def chosen_ship_to_id(self) -> int | None:
        """The address whose dates to offer: the one posted when it is the partner's,
        else the initial one, else None (the default address)."""
        if self.is_bound:
            self.is_valid()  # cleans once; an address that is not the partner's is left out
            address = self.cleaned_data.get("ship_to")
            return address.id if address is not None else None
        initial = self.initial.get("ship_to")
        return getattr(initial, "id", initial)

    def offer_dates(self, dates) -> None:
        """Make the date field a picker of `dates` (portal.delivery_dates.DeliveryDates)."""
        self.dates = dates
        self.fields["requested_delivery_date"].widget.choices = dates.choices


class CheckoutForm(DeliveryChoiceForm):
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    po_number = forms.CharField(label="PO number", required=False, max_length=64)

    field_order = ["idempotency_key", "ship_to", "requested_delivery_date", "po_number"]


class CancelOrderForm(forms.Form):
    reason = forms.CharField(label="Reason for cancelling", required=False, max_length=200)


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label="Order number or PO", required=False, max_length=64, widget=forms.TextInput(attrs={"type": "search"})
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses")] + list(OrderStatus.choices)
    )
