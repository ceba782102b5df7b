"""The signed-in user's own settings: which notification mails they receive, in which language."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trackers.selectors import notification_preferences_for
from trackers.services.notifications import notification_preferences_update

from .forms import NotificationPreferencesForm


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    preferences = notification_preferences_for(request.user)
    form, status = NotificationPreferencesForm.for_preferences(preferences), 200
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            notification_preferences_update(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your notification settings were saved."))
            return redirect("web:account-notifications")
        status = 400
    return render(request, "trackers/account_notifications.html", {
        "form": form, "email": request.user.email,
    }, status=status)
