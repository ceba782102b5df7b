"""How the API pages its lists. Small collections page by number; the big ones (1.5 million figures
and versions, 150,000 targets and as many progress rows an as-of date at national scale) page by
cursor: no COUNT of the whole table per request, and an index-backed "after this key" that stays
fast on the last page and stable while rows are added."""
from rest_framework.pagination import CursorPagination


class ByIdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 50


class ByTargetCursorPagination(ByIdCursorPagination):
    # A progress list always holds one as-of date (the filter defaults to the latest), so the
    # target is unique in it and the (as_of, target) index serves the order.
    ordering = "target_id"
