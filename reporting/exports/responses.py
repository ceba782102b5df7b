"""A report file as an HTTP download, the same for the pages and the API."""
from __future__ import annotations

from django.http import HttpResponse

CHECKSUM_HEADER = "X-Report-Checksum"


def file_response(*, content: bytes, filename: str, content_type: str, checksum: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(content))
    response[CHECKSUM_HEADER] = f"sha256={checksum}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
