"""The portal's CSV upload: a form that stores the file and enqueues its import, a status
page whose progress bar polls a small partial (htmx) until the upload is finished, and a
sample CSV built from the live catalogue. The importer is the `uploads` package."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views import View

from config.errors import DomainError
from config.upload_limits import upload_refusal
from orders.exceptions import DuplicateCsvUploadError
from orders.models import CsvUpload
from portal.pages import PartnerPageMixin
from uploads.exceptions import UploadInFlightError, UploadQuotaExceededError
from uploads.files import read_csv_file
from uploads.processing import submit_csv_upload
from uploads.reports import build_sample_csv, placed_orders, problem_page, report_notes
from uploads.selectors import uploads_visible_to

FINISHED = {CsvUpload.Status.DONE, CsvUpload.Status.INVALID, CsvUpload.Status.FAILED}
_REFUSAL_STATUS = {DuplicateCsvUploadError: 409, UploadInFlightError: 409, UploadQuotaExceededError: 429}
RECENT_UPLOADS = 10


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))
    valid_rows_only = forms.BooleanField(
        label="Place only the valid rows",
        required=False,
        help_text="Unchecked, the file is all or nothing: one bad row and no order is placed.",
    )


class CsvUploadView(PartnerPageMixin, View):
    """The upload form, with the partner's recent uploads."""

    def get(self, request):
        return self._form_page(CsvUploadForm())

    def post(self, request):
        form = CsvUploadForm(request.POST, request.FILES)
        refusal = upload_refusal(request)
        if refusal:
            # The file was stopped while it streamed (config/upload_limits.py): said in
            # place of "this field is required".
            form.is_valid()
            form.errors["file"] = form.error_class([refusal])
            return self._form_page(form, status=413)
        if not form.is_valid():
            return self._form_page(form, status=400)
        upload_file = form.cleaned_data["file"]
        mode = CsvUpload.Mode.VALID_ROWS if form.cleaned_data["valid_rows_only"] else CsvUpload.Mode.ALL_OR_NOTHING
        try:
            upload = submit_csv_upload(
                partner=self.partner,
                user=request.user,
                filename=upload_file.name,
                raw=read_csv_file(upload_file),
                mode=mode,
            )
        except DomainError as error:
            form.add_error("file", error.message)
            earlier = error.extra.get("upload_id")
            return self._form_page(form, status=_REFUSAL_STATUS.get(type(error), 400), earlier=earlier)
        return redirect("portal:upload-detail", upload_id=upload.id)

    def _form_page(self, form, *, status: int = 200, earlier: int | None = None):
        visible = uploads_visible_to(partner=self.partner, uploaded_by=self.orders_limit)
        uploads = visible.defer("content", "report", "problems")[:RECENT_UPLOADS]
        if earlier is not None and not visible.filter(id=earlier).exists():
            earlier = None  # another buyer's upload: named in the message, not linked
        return self.page(
            "portal/upload.html", {"form": form, "uploads": uploads, "earlier_upload_id": earlier}, status=status
        )


class CsvUploadDetailView(PartnerPageMixin, View):
    """An upload's status page: progress while it runs, then its orders and a page of
    its problems (`?page=N`)."""

    template = "portal/upload_detail.html"

    def get(self, request, upload_id: int):
        upload = self.upload(upload_id, "content", "problems")
        context = progress_context(upload)
        if context["finished"]:
            context.update(report_context(upload, page=_page_number(request)))
        return self.page(self.template, context)

    def upload(self, upload_id: int, *deferred: str) -> CsvUpload:
        visible = uploads_visible_to(partner=self.partner, uploaded_by=self.orders_limit)
        upload = visible.filter(id=upload_id).defer(*deferred).first()
        if upload is None:
            raise Http404("No such upload.")
        return upload


class CsvUploadReportView(CsvUploadDetailView):
    """A finished upload's report alone (notes, orders, a page of problems): what the
    progress partial fetches once when the upload finishes."""

    template = "portal/upload_report.html"

    def page(self, template, context=None, **kwargs):
        return super().page(template, context, cart_count=0)


class CsvUploadProgressView(CsvUploadDetailView):
    """The progress partial alone, polled by the status page every second: progress and
    counts, never the report."""

    def get(self, request, upload_id: int):
        upload = self.upload(upload_id, "content", "report", "problems")
        # Polled every second: no navigation here, so no cart count to query.
        return self.page("portal/upload_progress.html", {**progress_context(upload), "polled": True}, cart_count=0)


class CsvSampleView(PartnerPageMixin, View):
    def get(self, request):
        response = HttpResponse(build_sample_csv(partner=self.partner), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="bouquet-orders-sample.csv"'
        return response


def progress_context(upload: CsvUpload) -> dict:
    finished = upload.status in FINISHED
    percent = 100 if finished else (100 * upload.processed_rows // upload.total_rows if upload.total_rows else 0)
    return {"upload": upload, "finished": finished, "percent": percent}


def report_context(upload: CsvUpload, *, page: int) -> dict:
    return {
        "orders": [{**entry, "url": _order_url(entry["order"])} for entry in placed_orders(upload)],
        "notes": report_notes(upload),
        "problems": problem_page(upload_id=upload.id, number=page),
    }


def _page_number(request) -> int:
    page = request.GET.get("page", "")
    return int(page) if page.isascii() and page.isdecimal() and len(page) <= 6 else 1


def _order_url(number: str) -> str:
    try:
        return reverse("portal:order-detail", args=[number])
    except NoReverseMatch:  # the orders pages are not mounted
        return ""
