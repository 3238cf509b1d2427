"""Pages of a list: `page` and `page_size` read strictly (a page that is not a whole
number from 1, or a size outside 1..500, is 400 naming the parameter, never a silent
default), and each page says the number of the next, so a client pages without
parsing a URL. A page past the last is empty, not an error."""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from config.api.inputs import whole_number_param
from config.limits import MAX_WHOLE_NUMBER

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class StandardPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        number = whole_number_param(request, self.page_query_param, default=1, minimum=1, maximum=MAX_WHOLE_NUMBER)
        size = whole_number_param(
            request, self.page_size_query_param, default=self.page_size, minimum=1, maximum=self.max_page_size
        )
        self.paginator = Paginator(queryset, size)
        self.number = number
        if number > self.paginator.num_pages:
            self.page = None
            return []
        self.page = self.paginator.page(number)
        return list(self.page)

    def get_next_link(self):
        return super().get_next_link() if self.page is not None else None

    def get_previous_link(self):
        return super().get_previous_link() if self.page is not None else None

    def get_paginated_response(self, data):
        has_next = self.page is not None and self.page.has_next()
        return Response(
            {
                "count": self.paginator.count,
                "page": self.number,
                "next_page": self.number + 1 if has_next else None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        nullable_link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["count", "page", "next_page", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": "Rows over every page.", "example": 1},
                "page": {"type": "integer", "minimum": 1, "description": "This page's number.", "example": 1},
                "next_page": {
                    "type": "integer",
                    "minimum": 2,
                    "nullable": True,
                    "description": "Pass it as `page` for the next page; null on the last.",
                    "example": None,
                },
                "next": {**nullable_link, "description": "The next page's URL; null on the last.", "example": None},
                "previous": {
                    **nullable_link,
                    "description": "The previous page's URL; null on the first.",
                    "example": None,
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": "The page, from 1. A page past the last is empty.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_WHOLE_NUMBER, "default": 1},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows a page, 1 to {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
            },
        ]


def paginated_response(view, request, rows, serialize):
    """Page `rows` with the view's paginator and answer that page, as `serialize` renders it."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serialize(page))
