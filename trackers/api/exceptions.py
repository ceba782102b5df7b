"""One translation of the domain's refusals into HTTP, for every API view (REST_FRAMEWORK's
EXCEPTION_HANDLER): InvalidInput -> 400 {field: [reason]}, ConflictError and WorkflowError -> 409,
PermissionDenied -> 403 with its reason. Messages come out in the request's language."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from trackers.exceptions import ConflictError, InvalidInput, WorkflowError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    response = drf_exception_handler(_as_api_exception(exc), context)
    if isinstance(exc, ConflictError) and response is not None:
        # DRF turns every value of an error body into text; the schema promises a number.
        response.data["current_lock_version"] = exc.current_lock_version
    return response


def _as_api_exception(exc):
    if isinstance(exc, InvalidInput):
        return exceptions.ValidationError(
            {e.field: [exceptions.ErrorDetail(str(e.message), code=e.code)] for e in exc.errors}
        )
    if isinstance(exc, ConflictError):
        return Conflict({"detail": str(exc), "current_lock_version": exc.current_lock_version})
    if isinstance(exc, WorkflowError):
        return Conflict({"detail": str(exc)})
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc
