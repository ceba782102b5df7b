from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import published_plans


@login_required
def home(request):
    plans = published_plans().prefetch_related(None)
    return render(request, "trackers/home.html", {"plans": plans})
