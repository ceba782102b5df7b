"""Django choices and check constraints built from the core's vocabularies (kpis.core.vocabulary),
so that a code exists in exactly one place and the database refuses any other."""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy


def text_choices(name: str, vocabulary: dict[str, str]) -> type[models.TextChoices]:
    """TextChoices with a member per code (GTE for "gte"), labelled in the active language."""
    return models.TextChoices(name, [(code.upper(), (code, gettext_lazy(label))) for code, label in vocabulary.items()])


def one_of(field: str, codes) -> Q:
    """The condition of a check constraint: the field holds one of the vocabulary's codes."""
    return Q(**{f"{field}__in": list(codes)})


def labels(vocabulary: dict[str, str]) -> dict[str, str]:
    """Code -> label in the active language, for pages and reports."""
    return {code: gettext(label) for code, label in vocabulary.items()}
