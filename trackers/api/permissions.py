from rest_framework.permissions import BasePermission


class CanUseApi(BasePermission):
    """Every API view: signed in and in a role that uses the API (trackers.rules)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("trackers.use_api"))
