"""How the API pages its lists. Small collections page by number; the figures and their versions
(1.5 million each at national scale) page by cursor: no COUNT of the whole table per request, and an
index-backed "after this id" that stays fast on the last page and stable while figures are added."""
from rest_framework.pagination import CursorPagination


class ByIdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 50
