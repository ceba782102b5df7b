"""The domain's refusals, one hierarchy for the whole service.

Services raise these (and Django's PermissionDenied for access); the API turns them into
field-named, translated 400 / 409 answers in one place (trackers.api.exceptions), and the pages
put their messages beside the fields. Messages are lazy translations: they come out in the
language of the request that reads them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str  # a lazy translation; str() it inside the request's language


class DomainError(Exception):
    """Something the service refuses to do; nothing was stored."""


class InvalidInput(DomainError):
    """The input was refused; `errors` name each field and the reason. Nothing was stored."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field: str, code: str, message) -> InvalidInput:
        return cls([FieldError(field, code, message)])


class ConflictError(DomainError):
    """Someone else changed the record since the caller read it (compare-and-set failed)."""

    def __init__(self, message, current_lock_version: int):
        super().__init__(message)
        self.current_lock_version = current_lock_version


class WorkflowError(DomainError):
    """The action does not fit the record's state (approving a draft, accepting twice)."""
