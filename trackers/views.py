from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .selectors import published_plans


@login_required
def home(request):
    # A submitter's day starts with what is owed; everyone else keeps the list of plans.
    if request.user.has_perm("trackers.view_my_work"):
        return redirect("web:my-work")
    plans = published_plans().prefetch_related(None)
    return render(request, "trackers/home.html", {"plans": plans})
