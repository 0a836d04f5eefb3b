from functools import partial

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    """Pages of 50 rows; `page_size` asks for 1 to 200. A page size outside that range
    (or not a whole number) is a 400 naming it, never silently replaced: a client that
    asked for 1,000 rows must not believe it has them all."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise serializers.ValidationError({self.page_size_query_param: [
                _("Give a whole number of rows between 1 and %(max)s.") % {"max": self.max_page_size}]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size, "default": self.page_size})
        return parameters


class CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows. On a large, often-updated table (the ticket queue)
    an exact COUNT(*) visits every row version; beyond the cap the exact figure helps
    nobody, so "more than 1,000" is said instead (measured: 2 ms instead of 12–16 ms
    over 20,000 open tickets)."""

    cap = 1000

    def __init__(self, object_list, per_page, *args, count_order=(), count_from=None, **kwargs) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        # The order the cap + 1 rows are counted in, when the list's owner knows an index
        # whose entries the counting should walk (tickets.selectors.ticket_count_order).
        self.count_order = tuple(count_order)
        # The rows to count when the listed ones are plain values whose joins (a related
        # row's column) the count does not need.
        self.count_from = count_from

    @cached_property
    def count(self) -> int:
        rows = self.object_list if self.count_from is None else self.count_from
        if hasattr(rows, "query") and not rows.query.distinct:
            # Any cap + 1 rows count the same: without the list's ORDER BY the database
            # stops at the cap instead of ordering the whole queue first (measured: 17 ms
            # -> 1.7 ms over 26,000 open tickets).
            rows = rows.order_by(*self.count_order)
        head = rows[: self.cap + 1]
        return head.count() if hasattr(head, "query") else len(head)

    @property
    def count_is_exact(self) -> bool:
        return self.count <= self.cap


class CappedPagination(Pagination):
    """Pagination whose `count` is exact up to 1,000 rows; `count_exact` says whether it is."""

    django_paginator_class = CappedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        # A view may name the order its rows are best counted in (`count_order`) and the
        # rows to count (`count_from`): see CappedPaginator.
        order, count_from = getattr(view, "count_order", ()), getattr(view, "count_from", None)
        if order or count_from is not None:
            self.django_paginator_class = partial(CappedPaginator, count_order=order, count_from=count_from)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response({
            "count": paginator.count if paginator.count_is_exact else paginator.cap,
            "count_exact": paginator.count_is_exact,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_exact"] = {"type": "boolean", "example": True}
        return response


class _Cursor(CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def __init__(self, ordering, page_size):
        self.ordering = ordering
        self.page_size = page_size

    def get_page_size(self, request):
        return self.page_size


class CursorOrPagePagination(CappedPagination):
    """Page numbers by default (`page`, with a capped `count`), or a cursor for walking a
    large, changing list without skipping or repeating rows: send `cursor` (empty for the
    first page), then follow `next`. The cursor walks the view's `cursor_ordering` (newest
    first); `count` is then not given."""

    cursor_query_param = "cursor"

    def _cursor(self, request, view) -> _Cursor:
        return _Cursor(getattr(view, "cursor_ordering", ("-created_at", "-id")), self.get_page_size(request))

    def paginate_queryset(self, queryset, request, view=None):
        self._cursor_mode = self.cursor_query_param in request.query_params
        if not self._cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self._delegate = self._cursor(request, view)
        return self._delegate.paginate_queryset(queryset.order_by(), request, view)

    def get_paginated_response(self, data):
        if getattr(self, "_cursor_mode", False):
            return self._delegate.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "Walk the list with a cursor instead of page numbers: empty for the first page, "
                           "then the `cursor` of the `next` link. Rows come newest first, none skipped or "
                           "repeated while the list changes; `count` is not given.",
            "schema": {"type": "string", "maxLength": 200},
        }]

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["results"]
        response["properties"]["count"]["description"] = "Not given when walking with `cursor`."
        return response
