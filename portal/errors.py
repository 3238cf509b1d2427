"""The portal's one translation of domain errors into pages: a not-found is a 404, every
other DomainError becomes form errors next to its field, errors next to its line, and
a message for the rest; a line sold only through a campaign's pre-books links to the
campaign's page. Views never pick error texts apart themselves."""

import functools
import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.safestring import SafeString

from config.errors import DomainError, NotFoundError
from orders.exceptions import CampaignPrebookOnlyError

_LINE_PREFIX = re.compile(r"^Line \d+: ")


def _without_line_prefix(detail: str) -> str:
    # Shown next to its row, "Line 3:" only repeats where it stands (and rows shift
    # once good ones leave the form).
    return _LINE_PREFIX.sub("", detail)


@dataclass
class PortalErrors:
    """A domain error sorted by where the page shows it."""

    by_line: dict[int, list[str]] = field(default_factory=dict)
    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def sort_errors(error: DomainError | None = None, *, errors: list[dict] | None = None) -> PortalErrors:
    """Sort a domain error (or a list of intake-style error dicts) by line, field, or
    neither. Raise Http404 for a not-found."""
    if isinstance(error, NotFoundError):
        raise Http404(error.message)
    sorted_errors = PortalErrors()
    items = list(errors or [])
    if error is not None:
        items = list(error.errors or []) if isinstance(error.errors, list) else []
        if not items:
            sorted_errors.general.append(error.message)
    prebook_url = error.extra.get("prebook_url") if isinstance(error, CampaignPrebookOnlyError) else None
    for item in items:
        detail = str(item.get("detail", ""))
        if item.get("line"):
            detail = _without_line_prefix(detail)
        if prebook_url and item.get("code") == CampaignPrebookOnlyError.code:
            detail = _with_link(detail, prebook_url)
        if item.get("line"):
            sorted_errors.by_line.setdefault(int(item["line"]), []).append(detail)
        elif item.get("field"):
            sorted_errors.by_field.setdefault(str(item["field"]), []).append(detail)
        else:
            sorted_errors.general.append(detail)
    return sorted_errors


def _with_link(detail: str, url: str) -> SafeString:
    """The text with `url` in it made a link (added at its end when it is not in it):
    escaped, so that it stays safe in a page and in a message."""
    before, found, after = detail.partition(url)
    if not found:
        return format_html('{} <a href="{}">{}</a>', detail, url, url)
    return format_html('{}<a href="{}">{}</a>{}', before, url, url, after)


def show_domain_error(request, error: DomainError, *, form=None) -> PortalErrors:
    """Put the error on the page: field errors onto `form` where it has that field,
    the rest (and line errors when the page has no rows to show them) as messages.
    Return the sorted errors so the page can show line errors next to their rows."""
    sorted_errors = sort_errors(error)
    for name, details in sorted_errors.by_field.items():
        for detail in details:
            if form is not None and name in form.fields:
                form.add_error(name, detail)
            else:
                messages.error(request, detail)
    for detail in sorted_errors.general:
        messages.error(request, detail)
    return sorted_errors


def flash_domain_errors(redirect_to):
    """Decorate a POST view that redirects: a DomainError becomes messages (each line's
    reason, without its line number) and a redirect to `redirect_to(request, *args,
    **kwargs)`; a not-found becomes a 404."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                sorted_errors = show_domain_error(request, error)
                for details in sorted_errors.by_line.values():
                    for detail in details:
                        messages.error(request, detail)
                return redirect(redirect_to(request, *args, **kwargs))

        return wrapper

    return decorate
