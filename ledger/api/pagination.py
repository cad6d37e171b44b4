from rest_framework.pagination import PageNumberPagination


class LedgerPagination(PageNumberPagination):
    """Page-number pagination with the total count (auditors want "of N")."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
