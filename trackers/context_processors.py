from django.conf import settings

from trackers.roles import ROLES


def demo_mode(request):
    """Every page can say that it shows demo data; in demo mode the sign-in page lists the demo
    logins (no database read: the names are the demo loader's)."""
    if not settings.DEMO_MODE:
        return {"DEMO_MODE": False}
    from trackers.services.demo import DEMO_PASSWORD, demo_logins

    return {"DEMO_MODE": True, "demo_password": DEMO_PASSWORD,
            "demo_logins": [(username, ROLES[role]) for username, role in demo_logins()]}


def site_nav(request):
    """Which sections the signed-in user may open, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_nav": None}
    return {
        "site_nav": {
            "dashboards": user.has_perm("trackers.view_dashboards"),
            "work": user.has_perm("trackers.view_my_work"),
            "submit": user.has_perm("trackers.submit_figures"),
            "review": user.has_perm("trackers.review_figure"),
            "completeness": user.has_perm("trackers.view_completeness"),
            "reports": user.has_perm("trackers.export_reports"),
            "intake": user.has_perm("trackers.read_plans"),
            "admin": user.is_staff,
        }
    }
