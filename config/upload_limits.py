"""A file upload over its door's size limit is refused while it streams, before any of
it is written to disk.

Django writes a multipart file over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file as
it arrives, and counts no file part against DATA_UPLOAD_MAX_MEMORY_SIZE: a view that
checks the size afterwards has let the whole body reach the disk. A door marks its
view with `limit_upload_size`, naming its limit in `settings.BOUQUET`;
`UploadLimitMiddleware` (before CsrfViewMiddleware, which is the first to read the
body) then puts `UploadLimitHandler` ahead of Django's handlers. The handler refuses
the file when the request's Content-Length already says it is too large, before any
handler opens a file for it, and otherwise once its running count passes the limit,
before the chunk that would pass it goes further. The view finds why in
`upload_refusal(request)` and says so; the file is simply absent from request.FILES."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from config.spreadsheets import megabytes

# What a form sends besides its file (the CSRF token, a checkbox, the multipart
# boundaries) fits in this; a body larger than the limit and this is refused outright.
FORM_FIELDS_ALLOWANCE = 64 * 1024

# A refused body up to this many times the limit is read to its end and thrown away,
# so the browser, which is still sending, shows the answer; a larger one gets its
# connection closed instead of tying up a web worker for it.
DRAIN_AT_MOST_TIMES_THE_LIMIT = 4


def limit_upload_size(setting: str):
    """Mark a view as taking files of at most `settings.BOUQUET[setting]` bytes (read
    at each request, so tests and deploys can change it)."""

    def mark(view):
        view.upload_limit_setting = setting
        return view

    return mark


def upload_refusal(request) -> str | None:
    """Return why the request's file was refused while it streamed, or None. Read it
    after request.POST or request.FILES."""
    return getattr(request, "upload_refusal", None)


class UploadLimitHandler(FileUploadHandler):
    """Stop the upload of a file over `max_bytes` before anything past the limit is
    handed to the handlers after this one (which write it to memory or disk)."""

    def __init__(self, request, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.body_length: int | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_length = content_length
        # None: Django parses the body as usual, through this handler's hooks.

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.body_length is not None and self.body_length > self.max_bytes + FORM_FIELDS_ALLOWANCE:
            self._refuse(
                f"The upload is {megabytes(self.body_length)}; a file may be at most {megabytes(self.max_bytes)}."
            )

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self._refuse(f"The file is larger than {megabytes(self.max_bytes)}, the most a file may be.")
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self, why: str):
        self.request.upload_refusal = f"{why} Split it into smaller files. Nothing was stored."
        drain = (self.body_length or 0) <= self.max_bytes * DRAIN_AT_MOST_TIMES_THE_LIMIT
        raise StopUpload(connection_reset=not drain)


class UploadLimitMiddleware:
    """Put an UploadLimitHandler first for every view marked with `limit_upload_size`.
    Must come before CsrfViewMiddleware in MIDDLEWARE: the handlers cannot change once
    the body is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        setting = getattr(view_func, "upload_limit_setting", None)
        if setting is not None and request.method == "POST":
            request.upload_handlers.insert(0, UploadLimitHandler(request, max_bytes=settings.BOUQUET[setting]))
        return None
