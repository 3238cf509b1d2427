"""The portal's peak campaigns (docs/DESIGN.md section 12): the campaigns ahead, and a
campaign's page at orders.campaigns.prebook_page_path: its date and window, its
products at the partner's prices with the cap left, a form to pre-book in cases, a
CSV file to pre-book from, and the user's open pre-books with where each line
stands, to change or withdraw while the window is open.

Thin doors over orders.prebooks and uploads.prebook_files. As with orders, a buyer
sees and changes the pre-books they placed, a partner admin the company's (another's
is a 404); the caps count the whole company's (orders.campaign_selectors)."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View

from config.errors import DomainError
from config.upload_limits import upload_refusal
from inventory.catalogue import smallest_orderable_quantity
from orders.campaign_selectors import campaign_products, campaigns_ahead, caps_left, get_open_prebook, open_prebooks
from orders.campaign_standings import line_standings
from orders.campaigns import get_campaign, prebook_page_path
from orders.exceptions import (
    CampaignNotFoundError,
    CsvFileError,
    IdempotencyKeyReusedError,
    PrebookWindowClosedError,
)
from orders.models import Campaign, CampaignProduct
from orders.prebooks import change_prebook, place_prebook, window_closed_error, withdraw_prebook
from partners.pricing import price_table
from portal.campaign_forms import PrebookFileForm, PrebookForm, change_form, new_prebook_form
from portal.campaign_text import closed_text, standing_text, status_label, window_text
from portal.errors import sort_errors
from portal.pages import PartnerPageMixin
from portal.views import price_rows
from uploads.files import read_csv_file
from uploads.prebook_files import PREBOOK_FILE_MAX_ROWS, place_prebook_file


class CampaignListView(PartnerPageMixin, View):
    def get(self, request):
        now = timezone.now()
        rows = [
            {
                "campaign": c,
                "status": status_label(c, now),
                "window": window_text(c, now),
                "url": prebook_page_path(c.code),
            }
            for c in campaigns_ahead(today=timezone.localdate())
        ]
        return self.page("portal/campaigns.html", {"campaigns": rows})


@dataclass
class ProductRow:
    entry: CampaignProduct
    first_quantity: int
    prices: list
    cap_left: int | None
    # The new pre-book's field of cases, while the window is open.
    field: object = None


class CampaignPageMixin(PartnerPageMixin):
    """Renders a campaign's page; its views parse one form and call one service."""

    template = "portal/campaign.html"

    def campaign(self, code: str) -> Campaign:
        try:
            return get_campaign(code)
        except CampaignNotFoundError as error:
            raise Http404(error.message) from None

    def visible(self, campaign: Campaign, prebook_id: int):
        """One of the pre-books the user may see; any other is a 404."""
        try:
            return get_open_prebook(campaign, prebook_id, partner=self.partner, placed_by=self.orders_limit)
        except DomainError as error:
            raise Http404(error.message) from None

    def campaign_page(self, campaign, *, form=None, bound_change=None, file_form=None, problems=(), status=200):
        """The page; `form`, a change form (`bound_change`) or `file_form` bound to
        what the buyer sent, shown with its errors, and `problems` a file's bad rows."""
        now = timezone.now()
        products = campaign_products(campaign)
        is_open = window_closed_error(campaign, now) is None
        prebooks = list(open_prebooks(campaign, partner=self.partner, placed_by=self.orders_limit))
        form = form or new_prebook_form(products=products, partner=self.partner)
        rows = self._product_rows(campaign, products)
        if is_open:
            for row, (_, field) in zip(rows, form.product_fields()):
                row.field = field
        context = {
            "campaign": campaign,
            "window": window_text(campaign, now),
            "is_open": is_open,
            "rows": rows,
            "form": form,
            "file_form": file_form or PrebookFileForm(),
            "file_max_rows": PREBOOK_FILE_MAX_ROWS,
            "problems": list(problems),
            "prebooks": self._prebook_entries(campaign, prebooks, products, bound_change, is_open),
        }
        return self.page(self.template, context, status=status)

    def _product_rows(self, campaign, products) -> list[ProductRow]:
        breaks = price_table(partner_id=self.partner.id, product_ids=[entry.product_id for entry in products])
        left = caps_left(campaign, self.partner, products)
        rows = []
        for entry in products:
            product = entry.product
            first = smallest_orderable_quantity(case_pack=product.case_pack, min_order_qty=product.min_order_qty)
            rows.append(
                ProductRow(entry, first, price_rows(product, breaks.get(product.id, []), first), left.get(product.id))
            )
        return rows

    def _prebook_entries(self, campaign, prebooks, products, bound_change, is_open) -> list[dict]:
        """Each visible pre-book with its lines' standings and, while the window is
        open, the form that changes it."""
        shown = {prebook.id for prebook in prebooks}
        by_prebook: dict[int, list] = {}
        for standing in line_standings(campaign, partner_id=self.partner.id):
            if standing.prebook_id in shown:
                text = standing_text(standing, allocated=campaign.is_allocated)
                by_prebook.setdefault(standing.prebook_id, []).append((standing, text))
        entries = []
        for prebook in prebooks:
            form = None
            if is_open:
                form = (
                    bound_change
                    if bound_change is not None and bound_change.prefix == f"prebook-{prebook.id}"
                    else None
                )
                form = form or change_form(prebook, products=products, partner=self.partner)
            entries.append({"prebook": prebook, "lines": by_prebook.get(prebook.id, []), "form": form})
        return entries

    def show_refusal(self, error: DomainError, campaign: Campaign, form) -> None:
        """Put the service's refusal on the form: a line's next to its product's field,
        the ship-to's next to it, the window's and the rest above the form."""
        if isinstance(error, PrebookWindowClosedError):
            # A message, not a form error: with the window closed the page shows no form.
            messages.error(self.request, closed_text(self.campaign(campaign.code), timezone.now()))
            return
        if isinstance(error, IdempotencyKeyReusedError):
            form.add_error(None, "This form was sent before with other quantities; reload the page to pre-book again.")
            return
        sorted_errors = sort_errors(error)  # a not-found is a 404
        for line_no, details in sorted_errors.by_line.items():
            field = form.field_of_line(line_no) if isinstance(form, PrebookForm) else None
            for detail in details:
                form.add_error(field, detail)
        for name, details in sorted_errors.by_field.items():
            for detail in details:
                form.add_error(name if name in form.fields else None, detail)
        for detail in sorted_errors.general:
            form.add_error(None, detail)


class CampaignView(CampaignPageMixin, View):
    def get(self, request, code: str):
        return self.campaign_page(self.campaign(code))

    def post(self, request, code: str):
        """Pre-book what the form asks."""
        campaign = self.campaign(code)
        form = PrebookForm(request.POST, products=campaign_products(campaign), partner=self.partner)
        if not form.is_valid():
            return self.campaign_page(campaign, form=form, status=400)
        try:
            result = place_prebook(
                campaign=campaign,
                partner=self.partner,
                lines=form.lines,
                ship_to=form.cleaned_data["ship_to"],
                user=request.user,
                idempotency_key=form.idempotency_key(),
                fingerprint=form.fingerprint(),
                source="portal",
            )
        except DomainError as error:
            self.show_refusal(error, campaign, form)
            return self.campaign_page(campaign, form=form, status=422)
        messages.success(request, f"Pre-book #{result.prebook.id} placed for {campaign.name}.")
        return redirect(prebook_page_path(campaign.code))


class PrebookChangeView(CampaignPageMixin, View):
    def post(self, request, code: str, prebook_id: int):
        campaign = self.campaign(code)
        prebook = self.visible(campaign, prebook_id)
        form = change_form(prebook, products=campaign_products(campaign), partner=self.partner, data=request.POST)
        if not form.is_valid():
            return self.campaign_page(campaign, bound_change=form, status=400)
        if not form.lines:
            form.add_error(None, "A pre-book needs at least one line; to cancel it, withdraw it.")
            return self.campaign_page(campaign, bound_change=form, status=422)
        try:
            change_prebook(
                campaign=campaign,
                prebook_id=prebook.id,
                partner=self.partner,
                lines=form.lines,
                ship_to=form.cleaned_data["ship_to"],
            )
        except DomainError as error:
            self.show_refusal(error, campaign, form)
            return self.campaign_page(campaign, bound_change=form, status=422)
        messages.success(request, f"Pre-book #{prebook.id} changed.")
        return redirect(prebook_page_path(campaign.code))


class PrebookWithdrawView(CampaignPageMixin, View):
    def post(self, request, code: str, prebook_id: int):
        campaign = self.campaign(code)
        prebook = self.visible(campaign, prebook_id)
        try:
            withdraw_prebook(campaign=campaign, prebook_id=prebook.id, partner=self.partner)
        except PrebookWindowClosedError:
            messages.error(request, closed_text(self.campaign(code), timezone.now()))
        except DomainError as error:
            sorted_errors = sort_errors(error)
            for detail in sorted_errors.general:
                messages.error(request, detail)
        else:
            messages.success(request, f"Pre-book #{prebook.id} withdrawn.")
        return redirect(prebook_page_path(campaign.code))


class PrebookUploadView(CampaignPageMixin, View):
    """A CSV file made into one pre-book at once (uploads.prebook_files)."""

    def post(self, request, code: str):
        campaign = self.campaign(code)
        form = PrebookFileForm(request.POST, request.FILES)
        refusal = upload_refusal(request)
        if refusal:
            form.is_valid()
            form.errors["file"] = form.error_class([refusal])
            return self.campaign_page(campaign, file_form=form, status=413)
        if not form.is_valid():
            return self.campaign_page(campaign, file_form=form, status=400)
        upload = form.cleaned_data["file"]
        try:
            result = place_prebook_file(
                campaign=campaign, partner=self.partner, user=request.user, raw=read_csv_file(upload)
            )
        except CsvFileError as error:
            form.add_error("file", error.message)
            return self.campaign_page(campaign, file_form=form, status=400)
        except PrebookWindowClosedError:
            messages.error(request, closed_text(self.campaign(code), timezone.now()))
            return self.campaign_page(campaign, file_form=form, status=422)
        except DomainError as error:
            problems = [item for item in error.errors or [] if isinstance(item, dict)]
            said = (
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''} below"
                if problems
                else error.message.rstrip(".")
            )
            form.add_error("file", f"{upload.name}: nothing was pre-booked; {said}.")
            return self.campaign_page(campaign, file_form=form, problems=problems, status=422)
        self._said(result, upload.name)
        return redirect(prebook_page_path(campaign.code))

    def _said(self, result, filename: str) -> None:
        prebook = result.prebook
        if not result.replayed:
            lines = prebook.lines.count()
            messages.success(
                self.request, f"Pre-book #{prebook.id} placed from {filename}: {lines} line{'s' if lines != 1 else ''}."
            )
        elif prebook.withdrawn_at is None:
            messages.info(self.request, f"{filename} was uploaded before: it is pre-book #{prebook.id}, unchanged.")
        else:
            messages.warning(
                self.request,
                f"{filename} was uploaded before as pre-book #{prebook.id}, since withdrawn; "
                "change the file to pre-book again.",
            )
