from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import plan_list


@login_required
def home(request):
    plans = plan_list().prefetch_related(None)
    return render(request, "trackers/home.html", {"plans": plans})
