"""A new text of Shenzhen's plan for the revision tests: the revenue goal raised from 1200亿元
to 1300亿元, the listed-companies goal dropped, a goal for national innovation platforms added."""
from pathlib import Path

from django.conf import settings

from tests.conftest import SHENZHEN_PLAN
from trackers.models import Plan
from trackers.selectors import revision_diff
from trackers.services import intake, revisions

SHENZHEN_SEED = (Path(settings.SEEDS_DIR) / "003_a7ff0893d5be19f4.txt").read_text("utf-8")
REVISED_TEXT = (
    SHENZHEN_SEED.replace("营收达1200亿元", "营收达1300亿元")
    .replace("培育上市企业12家", "培育一批上市企业")
    .replace("新增10亿以上企业10个，", "新增10亿以上企业10个，新增国家级创新载体8个，")
)


def shenzhen_revision(user, text: str = REVISED_TEXT):
    return revisions.revision_create(user=user, plan=Plan.objects.get(code=SHENZHEN_PLAN),
                                     title="深圳市培育发展大健康产业集群行动计划（2022-2025年）（修订）",
                                     document_status="final", text=text)


def accept_as_proposed(user, revision):
    """Accept the diff as the page proposes it: the likeliest pairs, every confident addition with
    its first suggestion (or a new indicator)."""
    diff = revision_diff(revision)
    matches = {row.target.pk: row.proposal.pk if row.proposal else None for row in diff.rows if row.choosable}
    additions = [intake.Decision(draft_id=draft.pk, new_indicator=intake.NewIndicator(
        draft.subject, draft.unit, "count")) for draft in diff.additions if draft.confidence >= 0.5]
    return revisions.revision_accept(user=user, revision=revision, matches=matches, additions=additions)

