"""Clean text: what a person may type into the service, checked in one place.

Forms, serializers, the spreadsheet upload and the services all use these checks, so a text field
refuses the same things with the same words wherever it came in. Refused: NUL and the other
control characters (tab, line feed and carriage return are allowed in multi-line text), lone
surrogates (they cannot be stored as UTF-8; JSON can carry them as \\ud800) and the bidirectional
overrides that make text display differently from what it is ("Trojan Source"). The length limit
is the model field's max_length: one number for the form, the serializer, the service and the
database constraint.
"""
from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .exceptions import FieldError

MULTI_LINE_WHITESPACE = frozenset("\n\r\t")
# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character `text` may not hold, or None when it is clean."""
    allowed = MULTI_LINE_WHITESPACE if multiline else frozenset()
    for character in text:
        if character in allowed:
            continue
        if character in BIDI_CONTROLS or unicodedata.category(character) in ("Cc", "Cs"):
            return character
    return None


def _character_message(character: str):
    return _("Remove the control character U+%(code)s: the text may not contain it.") % {
        "code": f"{ord(character):04X}"}


def _length_message(limit: int, length: int):
    return _("At most %(limit)s characters (this text has %(length)s).") % {"limit": limit, "length": length}


def text_errors(value, *, field: str, max_length: int | None = None, multiline: bool = False) -> list[FieldError]:
    """The services' check: each problem of `value` as a FieldError naming `field`."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [FieldError(field, "not_text", _("Enter text."))]
    errors = []
    character = forbidden_character(value, multiline=multiline)
    if character is not None:
        errors.append(FieldError(field, "control_character", _character_message(character)))
    if max_length is not None and len(value) > max_length:
        errors.append(FieldError(field, "too_long", _length_message(max_length, len(value))))
    return errors


def model_text_errors(value, model, field: str, *, name: str | None = None) -> list[FieldError]:
    """text_errors with the limit and the kind (one line or several) of a model's text field."""
    model_field = model._meta.get_field(field)
    return text_errors(value, field=name or field, max_length=model_field.max_length,
                       multiline=is_multiline(model_field))


def is_multiline(model_field) -> bool:
    return model_field.get_internal_type() == "TextField"


@deconstructible
class CleanText:
    """A Django validator (models, forms, DRF serializers) refusing control characters."""

    code = "control_character"

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        character = forbidden_character(value, multiline=self.multiline)
        if character is not None:
            raise ValidationError(_character_message(character), code=self.code)

    def __eq__(self, other):
        return isinstance(other, CleanText) and other.multiline == self.multiline


one_line = CleanText(multiline=False)
multi_line = CleanText(multiline=True)
