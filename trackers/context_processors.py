from django.conf import settings


def demo_mode(request):
    """Every page can say that it shows demo data."""
    return {"DEMO_MODE": settings.DEMO_MODE}
