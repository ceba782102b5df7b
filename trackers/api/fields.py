"""Serializer fields for what clients send: each takes only its own JSON type, within the bounds of
the column it ends up in, so a bad value is a 400 naming the field and never reaches the database.
"""
from __future__ import annotations

from django.core.validators import RegexValidator, slug_re
from drf_spectacular.drainage import set_override
from rest_framework import serializers

from trackers.cleantext import CleanText, is_multiline
from trackers.validation import integer_bounds

SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"  # django.core.validators.slug_re, as the schema writes it


class TextField(serializers.CharField):
    """A JSON string (a number is not text), without control characters (trackers.cleantext)."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(CleanText(multiline=multiline))

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def model_text(model, field: str, **kwargs) -> TextField:
    """A TextField with the max_length and the kind (one line or several) of a model's field."""
    model_field = model._meta.get_field(field)
    return TextField(max_length=model_field.max_length, multiline=is_multiline(model_field), **kwargs)


class CodeField(TextField):
    """A code as the models store them: a slug (letters, digits, - and _) of bounded length."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(RegexValidator(slug_re, message=self.error_messages["invalid"]))


class CodeRelatedField(serializers.SlugRelatedField):
    """An object named by its code. Only a well-formed code is looked up."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        limit = self.queryset.model._meta.get_field(self.slug_field).max_length
        set_override(self, "field", {"type": "string", "pattern": SLUG_PATTERN, "maxLength": limit})

    def to_internal_value(self, data):
        limit = self.get_queryset().model._meta.get_field(self.slug_field).max_length
        if not isinstance(data, str) or len(data) > limit or not slug_re.match(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumberField(serializers.IntegerField):
    """A JSON integer: not a string of digits, not 3.0, not true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def model_integer(model, field: str, **kwargs) -> WholeNumberField:
    """A WholeNumberField within what the model's integer column holds on every database."""
    low, high = integer_bounds(model._meta.get_field(field))
    return WholeNumberField(min_value=low, max_value=high, **kwargs)
