"""Pages for reading a new plan: paste or upload its text, then accept, edit or reject each
proposed promise. Reviewers and administrators only; every change is a POST."""
from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from trackers.exceptions import InvalidInput
from trackers.models import DraftTarget, Indicator, Plan, PlanDraft, Region, Target
from trackers.services import intake


class PlanTextForm(forms.Form):
    title = forms.CharField(label=_("Plan title"), max_length=255)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all())
    text = forms.CharField(label=_("Paste the text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    upload = forms.FileField(label=_("or upload a .txt or .docx file"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            data["text"] = read_upload(upload)
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Paste the plan's text or upload a file."))
        return data


def read_upload(upload) -> str:
    """Plain text (UTF-8 or GB18030) or a Word document, read as data only."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(_("The file is larger than the limit."))
    name = upload.name.lower()
    raw = upload.read()
    if name.endswith(".docx"):
        import docx

        try:
            document = docx.Document(io.BytesIO(raw))
        except Exception as error:  # noqa: BLE001 - any unreadable file is the user's to fix
            raise forms.ValidationError(_("The Word file could not be read.")) from error
        return "\n".join(paragraph.text for paragraph in document.paragraphs)
    if name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The text file is neither UTF-8 nor GB18030."))
    raise forms.ValidationError(_("Upload a .txt or .docx file."))


class AcceptForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.all())
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.all())
    value = forms.DecimalField(label=_("Value"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    comparator = forms.ChoiceField(label=_("Comparator"), required=False,
                                   choices=[("", "—"), *Target.Comparator.choices])


def _require_intake(user):
    if not user.has_perm("trackers.read_plans"):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    _require_intake(request.user)
    form = PlanTextForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = intake.plan_draft_create(user=request.user, title=data["title"], region=data["region"],
                                         text=data["text"], filename=getattr(data.get("upload"), "name", ""))
        return redirect("intake:draft", pk=draft.pk)
    return render(request, "trackers/intake_index.html", {"form": form, "drafts": PlanDraft.objects.all()[:20]})


@login_required
def draft_page(request, pk: int):
    _require_intake(request.user)
    plan_draft = get_object_or_404(PlanDraft, pk=pk)
    drafts = plan_draft.drafts.all()
    return render(request, "trackers/intake_draft.html", {
        "plan_draft": plan_draft, "drafts": drafts, "accept_form": AcceptForm(),
    })


@login_required
@require_POST
def draft_accept(request, pk: int):
    _require_intake(request.user)
    draft = get_object_or_404(DraftTarget, pk=pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    else:
        data = form.cleaned_data
        try:
            target = intake.draft_target_accept(
                user=request.user, draft=draft, plan=data["plan"], indicator=data["indicator"],
                edits={"value": data["value"], "year": data["year"], "comparator": data["comparator"]},
            )
        except InvalidInput as refused:
            messages.error(request, " ".join(f"{e.field}: {e.message}" for e in refused.errors))
        else:
            messages.success(request, _("Accepted: %(target)s") % {"target": target})
    return redirect("intake:draft", pk=draft.plan_draft_id)


@login_required
@require_POST
def draft_reject(request, pk: int):
    _require_intake(request.user)
    draft = get_object_or_404(DraftTarget, pk=pk)
    intake.draft_target_reject(user=request.user, draft=draft)
    return redirect("intake:draft", pk=draft.plan_draft_id)
