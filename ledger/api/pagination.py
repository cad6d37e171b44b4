from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from rest_framework.pagination import PageNumberPagination

from ledger.errors import ValidationFailed

# A result this small is sorted after it is found (see _CountedPaginator).
SORT_AFTER_FILTERING = 2_000


def sort_after_filtering(queryset: QuerySet) -> QuerySet:
    """The same rows in the same order, sorted after the filters have found them: each ordering
    column is wrapped (COALESCE(x, x) is x, NULLs included) so that PostgreSQL cannot walk an
    index in that order instead, testing every row until it has a page."""
    order = list(queryset.query.order_by)
    if not order and queryset.query.default_ordering:
        order = list(queryset.model._meta.ordering)
    wrapped = []
    for item in order:
        if not isinstance(item, str):
            wrapped.append(item)  # an expression already: not an index's column
            continue
        if item == "?":
            return queryset
        name = item.lstrip("-+")
        column = Coalesce(F(name), F(name))
        wrapped.append(column.desc() if item.startswith("-") else column.asc())
    return queryset.order_by(*wrapped) if wrapped else queryset


class _CountedPaginator(Paginator):
    """Django's paginator, which knows the exact count before it reads a page: when the whole
    result is small, the page is read filter-first (``sort_after_filtering``). Else PostgreSQL,
    estimating rows it cannot count, may walk the primary key in order hoping to meet the few
    matches early — 0.16 s through 450,000 rows for one match among a million obligations (issue
    9), when finding the matches first costs what the count did."""

    def page(self, number):
        if isinstance(self.object_list, QuerySet) and self.count <= SORT_AFTER_FILTERING:
            self.object_list = sort_after_filtering(self.object_list)
        return super().page(number)


def _whole(raw: str) -> int | None:
    """A whole number as typed (full-width digits too), or None."""
    raw = raw.strip()
    return int(raw) if raw.isdecimal() else None


class LedgerPagination(PageNumberPagination):
    """Page-number pagination with the total count (auditors want "of N").

    A page or page size that is not a whole number in range is refused with a 400 naming it —
    DRF would answer an unreadable page with 404 and quietly use the default for an unreadable or
    too large page size, and what a user typed must never be dropped silently. A page past the
    last one is a 404 (there is nothing there), in Chinese.
    """

    django_paginator_class = _CountedPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "第{page_number}页没有记录"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        size = _whole(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise ValidationFailed.field(
                self.page_size_query_param,
                f"每页条数须为1至{self.max_page_size}的整数，实为“{raw}”",
                code="invalid_page_size",
            )
        return size

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw == "" or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        number = _whole(raw)
        if number is None or number < 1:
            raise ValidationFailed.field(self.page_query_param, f"页码须为正整数，实为“{raw}”", code="invalid_page")
        return number

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "页码，从1起；超过最后一页时404",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数，1至{self.max_page_size}，默认{self.page_size}",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
