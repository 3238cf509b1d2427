"""What every app's admin shares: the view-only mixin, and the rules every import and
export of the back office follows. The site itself is backoffice.site."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.forms import ImportForm

from config.admin_formats import BACK_OFFICE_FORMATS, NotUtf8TextError
from config.spreadsheets import megabytes, not_utf8_reason
from config.upload_limits import limit_upload_size, upload_refusal


class ViewOnlyMixin:
    """For rows that change only through services (stock, ledger, orders, payments):
    the back office looks, the services write. Works for model admins and inlines."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def describe_row_problems(result, limit: int = 50) -> list[str]:
    """Return 'row N: reason' for every refused row of an import result (and the
    file-level errors), the first `limit` of them."""
    lines = [f"file: {error.error}" for error in result.base_errors]
    for invalid in result.invalid_rows:
        reasons = "; ".join(
            f"{field}: {' '.join(str(m) for m in msgs)}" if field != "__all__" else " ".join(str(m) for m in msgs)
            for field, msgs in invalid.error_dict.items()
        )
        lines.append(f"row {invalid.number}: {reasons}")
    for error_row in result.error_rows:
        lines.append(f"row {error_row.number}: {'; '.join(str(e.error) for e in error_row.errors)}")
    return lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])


class BackOfficeImportForm(ImportForm):
    """The import form, refusing a file over the back office's size limit before
    import-export reads it whole into memory."""

    # Why the file was stopped while it streamed, if it was (set by the admin mixin).
    upload_refusal: str | None = None

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.upload_refusal:
            # In place of "this field is required": the file was there, and too large.
            self._errors["import_file"] = self.error_class([self.upload_refusal])
            self.cleaned_data.pop("import_file", None)

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.BOUQUET["IMPORT_MAX_BYTES"]
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {megabytes(upload.size)}; the limit is {megabytes(limit)}. "
                "Split it into smaller files. Nothing was imported.",
                code="file_too_large",
            )
        return upload


class BackOfficeImportExportMixin:
    """CSV and XLSX both ways, formulas escaped on export, and an import that is all
    or nothing per file with a report naming every bad row.

    Mix into a ModelAdmin together with import-export's ImportExportModelAdmin (or
    ExportMixin) and name `resource_classes`."""

    formats = BACK_OFFICE_FORMATS
    import_form_class = BackOfficeImportForm
    import_formats = BACK_OFFICE_FORMATS
    export_formats = BACK_OFFICE_FORMATS

    def has_import_permission(self, request):
        """An import creates rows and changes others: it needs both rights on the model."""
        opts = self.model._meta
        return all(
            request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in ("add", "change")
        )

    def get_import_formats(self):
        return [f for f in self.import_formats if f().can_import()]

    def get_export_formats(self):
        return [f for f in self.export_formats if f().can_export()]

    @limit_upload_size("IMPORT_MAX_BYTES")
    def import_action(self, request, *args, **kwargs):
        # Marked so that a file over the limit is refused while it streams
        # (config/upload_limits.py); the form then says why.
        return super().import_action(request, *args, **kwargs)

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.upload_refusal = upload_refusal(request) if request.method == "POST" else None
        return form

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # One refused row rolls back the whole file, also in the real (confirmed) run.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, (UnicodeDecodeError, NotUtf8TextError)):
            if isinstance(e, NotUtf8TextError):
                problem = str(e)
            else:
                problem = not_utf8_reason(e.object) or (
                    f"The file is not UTF-8 text (byte 0x{e.object[e.start]:02x} at position {e.start} cannot be read)"
                )
            form.add_error(
                "import_file",
                f'{problem}. Save it as "CSV UTF-8" (or upload an XLSX file) and try again. Nothing was imported.',
            )
            return
        form.add_error(
            "import_file",
            f"The file could not be read as the chosen format ({type(e).__name__}: {e}). "
            "Check the format and the file. Nothing was imported.",
        )

    def process_result(self, result, request):
        # The preview passed, but the real run found a row refused (someone wrote in
        # between): the transaction was rolled back, so say so instead of "done".
        if result.has_errors() or result.has_validation_errors():
            problems = describe_row_problems(result)
            self.message_user(
                request,
                "Nothing was imported: " + "; ".join(problems),
                level=messages.ERROR,
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        return super().process_result(result, request)
