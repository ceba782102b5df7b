"""Who did what, when, and every refused access: one structured log line each."""
import logging

logger = logging.getLogger("audit")

REFUSED = {401, 403}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class AuditLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        refused = response.status_code in REFUSED
        if refused or request.method not in SAFE_METHODS:
            user = getattr(request, "user", None)
            logger.log(
                logging.WARNING if refused else logging.INFO,
                "access refused" if refused else "change request",
                extra={
                    "user": user.get_username() if user is not None and user.is_authenticated else None,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "remote_addr": request.META.get("REMOTE_ADDR"),
                },
            )
        return response
