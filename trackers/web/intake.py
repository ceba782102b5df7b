"""Pages for reading plans: paste or upload a text to make a new plan (or a new text of an
existing one), accept, edit or reject each proposal, publish the plan, and accept a revision's
diff. Reviewers and administrators only; every change is a POST through a service."""
from __future__ import annotations

import io
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from kpis.core import vocabulary
from trackers import names
from trackers.choices import labels
from trackers.exceptions import FieldError, InvalidInput
from trackers.models import DraftTarget, Indicator, Plan, PlanDraft, PlanRevision, Region, RegionLevel
from trackers.reading import LOW_CONFIDENCE, REASON_TEXTS
from trackers.selectors import proposal_views, revision_diff
from trackers.services import intake, regions, revisions
from trackers.web.forms import DataSelect

NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


# Forms

class PlanTextForm(forms.Form):
    purpose = forms.ChoiceField(label=_("This text is"), choices=PlanDraft.Purpose.choices,
                                initial=PlanDraft.Purpose.NEW_PLAN, widget=forms.RadioSelect)
    revises = forms.CharField(label=_("Code of the plan it revises"), max_length=96, required=False,
                              help_text=_("Only for a new text of an existing plan."))
    title = forms.CharField(label=_("Plan title"), max_length=255)
    short_title = forms.CharField(label=_("Short title"), max_length=128, required=False)
    region = forms.CharField(label=_("Region"), max_length=64, required=False,
                             help_text=names.marked_quotes_lazy(_("Its name as the region list writes it (湖南省, 岳阳市).")))
    start_year = forms.IntegerField(label=_("First year"), min_value=1990, max_value=2100, required=False)
    end_year = forms.IntegerField(label=_("Last year"), min_value=1990, max_value=2100, required=False)
    issuing_body = forms.CharField(label=_("Issued by"), max_length=255, required=False)
    document_status = forms.ChoiceField(label=_("Document status"), choices=Plan.DocumentStatus.choices)
    published_on = forms.DateField(label=_("Published on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    coordinator = forms.CharField(
        label=_("Coordinating department"), max_length=128, required=False,
        help_text=_("Answers for targets whose clause names no department (for a new plan; optional)."))
    text = forms.CharField(label=_("Paste the text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    upload = forms.FileField(label=_("or upload a .txt or .docx file"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("upload"):
            data["text"] = read_upload(data["upload"])
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Paste the plan's text or upload a file."))
        if data.get("purpose") == PlanDraft.Purpose.REVISION:
            data["revised_plan"] = self._plan(data.get("revises"))
        else:
            data["region_obj"] = self._region(data.get("region"))
            for name in ("start_year", "end_year", "issuing_body"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a new plan."))
        return data

    def _plan(self, code):
        plan = Plan.objects.filter(code=(code or "").strip()).first()
        if plan is None:
            self.add_error("revises", _("No plan has this code."))
        return plan

    def _region(self, name):
        region = Region.objects.filter(name=(name or "").strip()).first()
        if region is None:
            self.add_error("region", _("No region of this name: add it first on the regions page."))
        return region


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


class RegionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    name_en = forms.CharField(label=_("English name"), max_length=128, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=RegionLevel.choices)
    parent = forms.CharField(label=_("Belongs to"), max_length=64, required=False,
                             help_text=_("The province or city it belongs to; empty for a province."))

    def clean_parent(self):
        name = self.cleaned_data.get("parent", "").strip()
        if not name:
            return None
        parent = Region.objects.filter(name=name).first()
        if parent is None:
            raise forms.ValidationError(_("No region of this name."))
        return parent


def comparator_choices() -> list[tuple[str, str]]:
    names = labels(vocabulary.COMPARATORS)
    return [(code, f"{vocabulary.COMPARATOR_SYMBOLS[code]} {names[code]}") for code in vocabulary.COMPARATORS]


class ProposalForm(forms.Form):
    """One proposal's row: selected for the bulk accept, and what the reviewer changes."""

    selected = forms.BooleanField(label=_("Accept"), required=False)

    def __init__(self, view, *args, **kwargs):
        draft = view.draft
        super().__init__(*args, prefix=f"d{draft.pk}", **kwargs)
        self.view = view
        self.fields["selected"].initial = view.confident and draft.status == DraftTarget.Status.PENDING
        self.fields["lead"] = forms.CharField(label=_("Lead departments"), required=False,
                                              initial="、".join(n for n, _known in view.lead))
        self.fields["cooperating"] = forms.CharField(label=_("Co-operating departments"), required=False,
                                                     initial="、".join(n for n, _known in view.cooperating))
        if draft.kind == DraftTarget.Kind.MILESTONE:
            self.fields["title"] = forms.CharField(label=_("Title"), max_length=255, initial=draft.subject or draft.clause)
            self.fields["deadline"] = forms.DateField(label=_("Deadline"), initial=view.deadline,
                                                      widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
            return
        self._measure_fields(view, draft)

    def _measure_fields(self, view, draft):
        choices = [(str(s.pk), names.label_with_unit(names.pick(s.name, s.name_en)[0], s.unit)) for s in view.suggestions]
        self.fields["indicator"] = forms.ChoiceField(
            label=_("Indicator"), choices=[*choices, ("new", _("create a new indicator"))], initial=view.preselected,
            widget=DataSelect)
        self.fields["new_name"] = forms.CharField(label=_("New indicator's name"), max_length=255, required=False,
                                                  initial=view.new_name)
        self.fields["new_unit"] = forms.CharField(label=_("Unit"), max_length=16, required=False, initial=view.new_unit)
        self.fields["new_kind"] = forms.ChoiceField(label=_("Kind"), choices=list(labels(vocabulary.KINDS).items()),
                                                    initial=view.new_kind or "flow", required=False)
        self.fields["new_direction"] = forms.ChoiceField(label=_("Direction"), initial="higher", required=False,
                                                         choices=list(labels(vocabulary.DIRECTIONS).items()))
        self.fields["value"] = forms.DecimalField(label=_("Value"), required=False, initial=draft.value)
        self.fields["year"] = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100,
                                                 initial=draft.year)
        if draft.kind == DraftTarget.Kind.TARGET:
            self.fields["value_high"] = forms.DecimalField(label=_("Upper value"), required=False,
                                                           initial=draft.value_high)
            self.fields["comparator"] = forms.ChoiceField(label=_("Comparator"), choices=comparator_choices(),
                                                          initial=draft.comparator or "gte")

    def decision(self, indicators: dict[int, Indicator]) -> intake.Decision:
        data = self.cleaned_data
        chosen = data.get("indicator")
        new = None
        if chosen == "new":
            new = intake.NewIndicator(data["new_name"], data["new_unit"], data["new_kind"], data["new_direction"])
        return intake.Decision(
            draft_id=self.view.draft.pk,
            indicator=indicators.get(int(chosen)) if chosen and chosen != "new" else None, new_indicator=new,
            value=data.get("value"), value_high=data.get("value_high"), year=data.get("year"),
            comparator=data.get("comparator"), lead=_names(data["lead"]), cooperating=_names(data["cooperating"]),
            title=data.get("title", ""), deadline=data.get("deadline"),
        )


def _names(text: str) -> list[str]:
    return [name for name in NAME_SEPARATORS.split(text or "") if name]


# Helpers of these pages

def _require(user, permission: str = "trackers.read_plans") -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _show_errors(request, errors: list[FieldError], clauses: dict[str, str] | None = None) -> None:
    """Each refusal as a message naming the proposal (or target) by its clause, and the field."""
    for error in errors:
        messages.error(request, f"{_where(error.field, clauses or {})}{error.message}")


FIELD_LABELS = {
    "indicator": _("Indicator"), "new_name": _("New indicator's name"), "new_unit": _("Unit"), "new_kind": _("Kind"),
    "new_direction": _("Direction"), "value": _("Value"), "value_high": _("Upper value"), "year": _("Year"),
    "comparator": _("Comparator"), "title": _("Title"), "deadline": _("Deadline"), "lead": _("Lead departments"),
    "cooperating": _("Co-operating departments"), "status": _("Status"), "match": _("Revised by"),
}


def _where(field: str, clauses: dict[str, str]) -> str:
    """“«到2027年…营业收入突破3000亿元» · 指标：” for a field named d12-indicator (t12-: a target), in
    the page's language."""
    match = re.fullmatch(r"([dt]\d+)-(\w+)", field)
    if not match:
        return ""
    clause = f"«{clauses[match.group(1)][:30]}» · " if match.group(1) in clauses else ""
    label = FIELD_LABELS.get(match.group(2))
    return f"{clause}{label}: " if label else clause


def _row(form: ProposalForm, chinese: bool) -> dict:
    draft = form.view.draft
    return {
        "form": form, "draft": draft, "view": form.view,
        "comparator": _comparator_text(draft.comparator),
        "reasons": [REASON_TEXTS.get(code, (code, code))[1 if chinese else 0] for code in draft.reasons],
        "confidence_pct": round(float(draft.confidence) * 100),
    }


def _comparator_text(code: str) -> str:
    if not code:
        return ""
    return f"{vocabulary.COMPARATOR_SYMBOLS.get(code, '')} {labels(vocabulary.COMPARATORS).get(code, code)}"


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _forms(drafts: list[DraftTarget], region: Region, data=None) -> list[ProposalForm]:
    return [ProposalForm(view, data=data) for view in proposal_views(drafts, region)]


def _decisions(forms_: list[ProposalForm], only: int | None) -> tuple[list[intake.Decision], list[FieldError]]:
    """The rows to accept (the one whose Accept button was pressed, or every selected one), as decisions."""
    chosen = [f for f in forms_ if (f.view.draft.pk == only if only else bool(f.data.get(f.add_prefix("selected"))))]
    errors = [FieldError(f"d{f.view.draft.pk}-{name}", "invalid", " ".join(messages_))
              for f in chosen if not f.is_valid() for name, messages_ in f.errors.items()]
    if errors:
        return [], errors
    ids = {int(f.cleaned_data["indicator"]) for f in chosen if f.cleaned_data.get("indicator", "new") != "new"}
    indicators = Indicator.objects.in_bulk(ids)
    return [f.decision(indicators) for f in chosen], []


# Pages

@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    _require(request.user)
    form = PlanTextForm(request.POST or None, request.FILES or None,
                        initial={"revises": request.GET.get("revises", ""),
                                 "purpose": "revision" if request.GET.get("revises") else "new_plan"})
    if request.method == "POST" and form.is_valid():
        try:
            return _read(request, form.cleaned_data)
        except InvalidInput as refused:
            for error in refused.errors:
                form.add_error(error.field if error.field in form.fields else None, error.message)
    texts = PlanDraft.objects.select_related("plan", "region").order_by("-created_at")[:30]
    return render(request, "trackers/intake_index.html", {"form": form, "texts": texts})


def _read(request, data):
    filename = getattr(data.get("upload"), "name", "")
    if data["purpose"] == PlanDraft.Purpose.REVISION:
        revision = revisions.revision_create(
            user=request.user, plan=data["revised_plan"], title=data["title"], text=data["text"],
            document_status=data["document_status"], published_on=data.get("published_on"), filename=filename)
        return redirect("intake:revision", pk=revision.pk)
    plan_draft = intake.plan_create(user=request.user, plan=intake.PlanInput(
        title=data["title"], short_title=data.get("short_title", ""), region=data["region_obj"],
        start_year=data["start_year"], end_year=data["end_year"], issuing_body=data["issuing_body"],
        document_status=data["document_status"], published_on=data.get("published_on"), text=data["text"],
        filename=filename, coordinator=data.get("coordinator", "")))
    return redirect("intake:draft", pk=plan_draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def regions_page(request):
    _require(request.user)
    form = RegionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region = regions.region_create(user=request.user, name=data["name"], name_en=data["name_en"],
                                           level=data["level"], parent=data["parent"])
        except InvalidInput as refused:
            for error in refused.errors:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Region added: %(region)s") % {"region": region.name})
            return redirect("intake:regions")
    added = Region.objects.filter(origin="intake").select_related("parent").order_by("-pk")[:50]
    return render(request, "trackers/intake_regions.html", {"form": form, "added": added})


@login_required
@require_http_methods(["GET"])
def draft_page(request, pk: int):
    _require(request.user)
    plan_draft = get_object_or_404(PlanDraft.objects.select_related("plan", "region"), pk=pk)
    if plan_draft.purpose == PlanDraft.Purpose.REVISION:
        return redirect("intake:revision", pk=plan_draft.revision.pk)
    return _draft_render(request, plan_draft)


def _draft_render(request, plan_draft, data=None):
    drafts = list(plan_draft.drafts.select_related("accepted_target").order_by("start"))
    chinese = _chinese()
    rows = [_row(form, chinese) for form in _forms(drafts, plan_draft.region, data)]
    shown = [r for r in rows if r["view"].confident or r["draft"].status == DraftTarget.Status.ACCEPTED]
    plan = plan_draft.plan
    return render(request, "trackers/intake_draft.html", {
        "plan_draft": plan_draft, "plan": plan, "rows": shown, "low_rows": [r for r in rows if r not in shown],
        "low_confidence_pct": round(LOW_CONFIDENCE * 100),
        "may_publish": plan is not None and plan.published_at is None and request.user.has_perm("trackers.publish_plan"),
        "accepting": plan is not None,
    })


@login_required
@require_POST
def draft_accept(request, pk: int):
    """Accept the selected proposals (bulk), or the one whose own Accept button was pressed."""
    _require(request.user)
    plan_draft = get_object_or_404(PlanDraft.objects.select_related("plan", "region"), pk=pk)
    drafts = list(plan_draft.drafts.filter(status=DraftTarget.Status.PENDING).order_by("start"))
    forms_ = _forms(drafts, plan_draft.region, request.POST)
    only = int(request.POST["only"]) if request.POST.get("only", "").isdigit() else None
    decisions, errors = _decisions(forms_, only)
    if not errors:
        try:
            accepted = intake.proposals_accept(user=request.user, plan_draft=plan_draft, decisions=decisions)
        except InvalidInput as refused:
            errors = refused.errors
        else:
            messages.success(request, _("Accepted: %(targets)s targets, %(milestones)s milestones, %(baselines)s baselines.")
                             % {"targets": len(accepted.targets), "milestones": len(accepted.milestones),
                                "baselines": len(accepted.baselines)})
            return redirect("intake:draft", pk=plan_draft.pk)
    _show_errors(request, errors, {f"d{d.pk}": d.clause for d in drafts})
    return _draft_render(request, plan_draft, request.POST)


@login_required
@require_POST
def draft_reject(request, pk: int):
    _require(request.user)
    draft = get_object_or_404(DraftTarget, pk=pk)
    intake.proposal_reject(user=request.user, draft=draft)
    return redirect("intake:draft", pk=draft.plan_draft_id)


@login_required
@require_POST
def plan_publish(request, code: str):
    _require(request.user, "trackers.publish_plan")
    plan = get_object_or_404(Plan, code=code)
    try:
        intake.plan_publish(user=request.user, plan=plan)
    except InvalidInput as refused:
        _show_errors(request, refused.errors)
    else:
        messages.success(request, _("Published: %(plan)s is on the dashboards.") % {"plan": plan.short_title})
    text = plan.texts.order_by("-created_at").first()
    return redirect("intake:draft", pk=text.pk) if text else redirect("intake:index")


@login_required
@require_http_methods(["GET"])
def revision_page(request, pk: int):
    _require(request.user)
    revision = get_object_or_404(PlanRevision.objects.select_related("plan", "plan_draft"), pk=pk)
    return _revision_render(request, revision)


def _revision_render(request, revision, data=None, matches=None):
    diff = revision_diff(revision, matches)
    chinese = _chinese()
    additions = [_row(form, chinese) for form in _forms(diff.additions, revision.plan.region, data)]
    change_labels = labels(vocabulary.REVISION_CHANGES)
    field_labels = {"value": _("value"), "value_high": _("upper value"), "comparator": _("comparator"), "year": _("year")}
    rows = [{"row": row, "label": change_labels[row.change], "choice": row.proposal.pk if row.proposal else "",
             "fields": [str(field_labels[name]) for name in row.fields],
             "target_comparator": _comparator_text(row.target.comparator),
             "proposal_comparator": _comparator_text(row.proposal.comparator) if row.proposal else ""}
            for row in diff.rows]
    return render(request, "trackers/intake_revision.html", {
        "revision": revision, "plan": revision.plan, "rows": rows, "candidates": diff.candidates,
        "additions": [a for a in additions if a["view"].confident],
        "low_additions": [a for a in additions if not a["view"].confident],
        "open": revision.status == PlanRevision.Status.OPEN,
        "may_accept": request.user.has_perm("trackers.publish_plan"),
    })


@login_required
@require_POST
def revision_accept(request, pk: int):
    _require(request.user, "trackers.publish_plan")
    revision = get_object_or_404(PlanRevision.objects.select_related("plan", "plan_draft"), pk=pk)
    matches = {int(key[1:-6]): int(value) if value.isdigit() else None
               for key, value in request.POST.items() if re.fullmatch(r"t\d+-match", key)}
    diff = revision_diff(revision, matches)
    forms_ = _forms(diff.additions, revision.plan.region, request.POST)
    additions, errors = _decisions(forms_, None)
    if not errors:
        try:
            revisions.revision_accept(user=request.user, revision=revision, matches=matches, additions=additions)
        except InvalidInput as refused:
            errors = refused.errors
        else:
            messages.success(request, _("The new text is accepted; its targets count from today."))
            return redirect("intake:revision", pk=revision.pk)
    _show_errors(request, errors, {**{f"d{d.pk}": d.clause for d in diff.candidates},
                                   **{f"t{row.target.pk}": row.target.clause for row in diff.rows}})
    return _revision_render(request, revision, request.POST, matches)
