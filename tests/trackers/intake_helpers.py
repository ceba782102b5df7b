"""Shared steps of the intake tests: a place the service has never seen, a plan text written for
it, and the POST a reviewer's browser sends when accepting the proposals as the page offers them."""
from pathlib import Path

from trackers.models import DraftTarget, PlanDraft, Region
from trackers.selectors import proposal_views
from trackers.web.intake import ProposalForm

YUEYANG_TEXT = (Path(__file__).parent / "texts" / "yueyang-biomed-2024-2026.txt").read_text("utf-8")
YUEYANG_TITLE = "岳阳市加快推进生物医药产业高质量发展三年行动计划（2024—2026年）"


def add_hunan_and_yueyang(client) -> Region:
    client.post("/intake/regions/", {"name": "湖南省", "name_en": "Hunan", "level": "province"})
    client.post("/intake/regions/", {"name": "岳阳市", "name_en": "Yueyang", "level": "city", "parent": "湖南省"})
    return Region.objects.get(name="岳阳市")


def read_yueyang(client, **extra):
    return client.post("/intake/", {
        "purpose": "new_plan", "title": YUEYANG_TITLE, "short_title": "岳阳市生物医药三年行动", "region": "岳阳市",
        "start_year": "2024", "end_year": "2026", "issuing_body": "岳阳市人民政府办公室",
        "document_status": "final", "published_on": "2024-03-15", "text": YUEYANG_TEXT, **extra,
    })


def page_post(plan_draft: PlanDraft, **overrides) -> dict:
    """Every field of every pending proposal as the page renders it (checkboxes as checked by
    default: the confident ones), with `overrides` (field name -> value, None removes it)."""
    drafts = list(plan_draft.drafts.filter(status=DraftTarget.Status.PENDING).order_by("start"))
    data = {}
    for view in proposal_views(drafts, plan_draft.region):
        form = ProposalForm(view)
        for name, _field in form.fields.items():
            value = form[name].value()
            if name == "selected":
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = "" if value is None else str(value)
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def draft_of(plan_draft: PlanDraft, value_text: str = "", kind: str = "target") -> DraftTarget:
    return plan_draft.drafts.get(kind=kind, **({"value_text": value_text} if value_text else {}))
