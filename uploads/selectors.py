"""Reads of CSV uploads, scoped as orders are (orders.selectors): a partner's user sees
the partner's uploads only, and a buyer only the uploads they made (`uploaded_by`,
from partners.roles `orders_limited_to`), since an upload's report names its orders."""

from django.db.models import QuerySet

from orders.models import CsvUpload


def uploads_visible_to(*, partner, uploaded_by=None) -> QuerySet[CsvUpload]:
    """Return the partner's uploads (newest first, the model's order); only
    `uploaded_by`'s when given."""
    uploads = CsvUpload.objects.filter(partner=partner)
    if uploaded_by is not None:
        uploads = uploads.filter(uploaded_by=uploaded_by)
    return uploads
