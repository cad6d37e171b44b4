from rest_framework.pagination import PageNumberPagination

from ledger.errors import ValidationFailed


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
