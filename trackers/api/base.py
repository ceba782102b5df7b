"""What every viewset of the API shares."""
from rest_framework import viewsets

# Ids are whole numbers that fit a bigint: anything else in the path is a 404, never a lookup.
ID_IN_PATH = r"[0-9]{1,18}"


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_IN_PATH
