"""The OpenAPI schema says what the API really answers (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

drf-spectacular documents the success answer of each operation; this adds the refusals every
operation can give, with their bodies as trackers.api.exceptions shapes them:
- 403 everywhere (not signed in, or no role that uses the API: trackers.rules);
- 404 where a path names an object, and on lists (a page past the end);
- 400 where a request body or query parameters are read (field-named reasons);
and marks optional query parameters as allowed empty, as django-filter reads an empty value as
"not filtered". Conflicts (409) are declared by the operations that can have them.
"""
from __future__ import annotations

from drf_spectacular.authentication import BasicScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Each refused field (or query parameter) with its reasons, in the request's language; "
                   "'detail' or 'non_field_errors' for a reason that concerns no single field.",
    "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
}
DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})
CONFLICT = inline_serializer("Conflict", {
    "detail": serializers.CharField(),
    "current_lock_version": serializers.IntegerField(
        required=False, help_text="The figure's lock version now: read it again, then retry with it."),
})

BAD_REQUEST = OpenApiResponse(FIELD_ERRORS_SCHEMA, description="Refused input: {field: [reason]}")
FORBIDDEN = OpenApiResponse(DETAIL, description="Not signed in, or not allowed to do this")
NOT_FOUND = OpenApiResponse(DETAIL, description="No such object that you may see (or no such page)")
CONFLICT_RESPONSE = OpenApiResponse(CONFLICT, description="Changed by someone else since expected_lock_version, "
                                                          "or not in a state that allows this")
WRITES = ("POST", "PUT", "PATCH")


class CleanBasicScheme(BasicScheme):
    """Our BasicAuthentication (trackers.api.authentication) is HTTP Basic, as the schema says."""

    target_class = "trackers.api.authentication.BasicAuthentication"


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._refusals().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _refusals(self) -> dict[str, OpenApiResponse]:
        refusals = {"403": FORBIDDEN}
        listing = self._is_list_view()
        if "{" in self.path or listing:
            refusals["404"] = NOT_FOUND
        if self.method in WRITES or listing or self._reads_query():
            refusals["400"] = BAD_REQUEST
        return refusals

    def _reads_query(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())

    def _get_filter_parameters(self):
        return [_empty_allowed(p) for p in super()._get_filter_parameters()]

    def _get_pagination_parameters(self):
        return [_empty_allowed(p) for p in super()._get_pagination_parameters()]


def _empty_allowed(parameter: dict) -> dict:
    if parameter.get("in") == "query" and not parameter.get("required"):
        return {**parameter, "allowEmptyValue": True}
    return parameter
