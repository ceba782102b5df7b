from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackersConfig(AppConfig):
    name = "trackers"
    verbose_name = _("Plans and reported figures")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_renewed

        user_logged_in.connect(session_renewed, dispatch_uid="trackers.sessions.session_renewed")
