"""Error pages. Under the API's paths the answer is JSON ({"detail": ...}), as the schema
documents, also when Django itself answers: a path the router does not match (/api/targets/1.5/)
or an error no view handled."""
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions

API_PREFIXES = ("/api/", "/reports/api/")


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIXES)


def not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception):
    """templates/403.html in the site's style and the request's language; JSON under the API."""
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.PermissionDenied.default_detail)}, status=403)
    return defaults.permission_denied(request, exception)


def bad_request(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.ParseError.default_detail)}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.APIException.default_detail)}, status=500)
    return defaults.server_error(request)
