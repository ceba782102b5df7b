"""Read a plan's text and propose its quantitative promises: pure Python, no Django.

General rules of Chinese policy writing, none written for one plan: a promise is a number with a
unit (亿元, 家, 个, %, …) in a sentence that looks forward (到2025年, 力争, 培育, 建成 …); a
baseline is a number in a sentence that looks back (截止到2019年, 期末, 现有 …); a deadline with
no number (2018年底前建成…) is a milestone; the bracket after a task names its departments.
Every draft carries the exact clause and its character offsets in the whitespace-free text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .quantities import COUNT_UNITS, normalize_text, parse_quantity

_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
_UNIT = r"(?:万亿元|亿元|万元|元|%|％|[" + "".join(sorted(COUNT_UNITS)) + r"])"
QUANTITY = re.compile(rf"{_NUM}(?:[-－~～—至到]{_NUM})?(?:万亿|万|亿)?{_UNIT}")
YEAR = re.compile(r"(20\d\d)年")
SENTENCE_END = re.compile(r"[。；！？]")
CLAUSE_END = re.compile(r"[，。；！？：]")
FORWARD = re.compile(r"到20\d\d年|20\d\d年(?:底)?前|力争|争取|努力|目标|培育|建成|建设|形成|打造|新增|实现|达到|突破|每年|引进|吸引")
BACKWARD = re.compile(r"截止到|截至|期末|现有|拥有|已有|已建成|近年来|目前|基础")
BRACKET = re.compile(r"（([^（）]{2,120}?)(?:牵头|负责)[^（）]*）")
MILESTONE = re.compile(r"(20\d\d)年(?:底)?前[^，。；]{0,6}?(?:建成|完成|建立|出台|制定|启动|实现|上线)([^，。；]{2,60})")
NOT_A_PROMISE = re.compile(r"^(?:第|十[一二三四五]五|\d{4}年$)")


@dataclass
class Draft:
    kind: str  # target | baseline | milestone
    clause: str
    start: int  # offsets into normalize_text(text)
    end: int
    value_text: str = ""
    value: Decimal | None = None
    value_high: Decimal | None = None
    unit: str = ""
    comparator: str = ""
    year: int | None = None
    aspirational: bool = False
    basis: str = "level"
    qualifier: str = ""
    lead_departments: list[str] = field(default_factory=list)
    cooperating_departments: list[str] = field(default_factory=list)


def read_plan(text: str) -> list[Draft]:
    """All drafts in a plan, in reading order."""
    flat = normalize_text(text)
    default_year = _latest_year(flat)
    drafts: list[Draft] = []
    for start, end in _sentences(flat):
        sentence = flat[start:end]
        departments = _departments_after(flat, end)
        drafts += _quantities(flat, start, sentence, default_year, departments)
        drafts += _milestones(flat, start, sentence, departments)
    return drafts


def _sentences(flat: str):
    start = 0
    for match in SENTENCE_END.finditer(flat):
        yield start, match.start()
        start = match.end()
    if start < len(flat):
        yield start, len(flat)


def _latest_year(flat: str) -> int | None:
    years = [int(y) for y in re.findall(r"到(20\d\d)年", flat)]
    return max(years) if years else None


def _quantities(flat, offset, sentence, default_year, departments) -> list[Draft]:
    drafts = []
    for match in QUANTITY.finditer(sentence):
        value_text = match.group()
        if _is_noise(sentence, match):
            continue
        try:
            quantity = parse_quantity(value_text)
        except ValueError:
            continue
        clause_start, clause_end = _clause_bounds(sentence, match.start(), match.end())
        clause = sentence[clause_start:clause_end]
        looking_back = bool(BACKWARD.search(sentence[: match.start()] or sentence)) and not FORWARD.search(clause)
        draft = Draft(
            kind="baseline" if looking_back else "target",
            clause=clause, start=offset + clause_start, end=offset + clause_end, value_text=value_text,
            value=quantity.low, value_high=quantity.high, unit=quantity.unit,
            year=_year_for(sentence, match.start(), default_year, looking_back),
            aspirational=bool(re.search(r"力争|争取|努力", sentence)),
            basis="annual" if "每年" in clause else ("cumulative" if re.search(r"新增|累计", clause) else "level"),
        )
        draft.comparator = _comparator(sentence, match.start(), match.end(), quantity.high is not None)
        if looking_back:
            draft.qualifier = _qualifier(sentence, match.start(), match.end())
        else:
            draft.lead_departments, draft.cooperating_departments = departments
        drafts.append(draft)
    return drafts


def _is_noise(sentence: str, match) -> bool:
    """Ordinals, plan names (十三五), years and numbers that name things rather than count them."""
    before = sentence[max(0, match.start() - 1): match.start()]
    after = sentence[match.end(): match.end() + 2]
    return before in ("第", "十") or after.startswith(("年", "五", "大")) or "五”" in sentence[match.start(): match.end() + 2]


def _clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The comma-delimited clause around the number, widened to take in the lead-in that
    carries its year or verb (到2025年，… ) when the clause itself is short."""
    left = max((m.end() for m in CLAUSE_END.finditer(sentence, 0, start)), default=0)
    right_match = CLAUSE_END.search(sentence, end)
    right = right_match.start() if right_match else len(sentence)
    if left > 0 and re.fullmatch(r"(?:到|在)?20\d\d年(?:底前)?|力争|争取", sentence[max(0, left - 8): left - 1] or ""):
        left = max((m.end() for m in CLAUSE_END.finditer(sentence, 0, left - 1)), default=0)
    return left, right


def _year_for(sentence: str, position: int, default_year, looking_back) -> int | None:
    before = YEAR.findall(sentence[:position])
    if before:
        return int(before[-1])
    anywhere = YEAR.findall(sentence)
    if anywhere:
        return int(anywhere[0])
    return None if looking_back else default_year


def _comparator(sentence: str, start: int, end: int, is_range: bool) -> str:
    before, after = sentence[max(0, start - 6): start], sentence[end: end + 4]
    if is_range:
        return "range"
    if re.search(r"左右", after) or before.endswith(("约", "大约")):
        return "approx"
    if re.search(r"以内|以下", after) or re.search(r"控制在|不超过|不高于|降至|下降|降低|低于", before):
        return "lte"
    if re.search(r"超过|超|突破|高于|多于", before):
        return "gt"
    return "gte"


def _qualifier(sentence: str, start: int, end: int) -> str:
    before, after = sentence[max(0, start - 4): start], sentence[end: end + 3]
    if re.search(r"超过|超", before) or after.startswith("多"):
        return "over"
    if after.startswith("左右") or before.endswith("约"):
        return "about"
    if after.startswith("以上"):
        return "at_least"
    return "exact"


def _milestones(flat, offset, sentence, departments) -> list[Draft]:
    drafts = []
    for match in MILESTONE.finditer(sentence):
        tail = match.group(2)
        if QUANTITY.search(tail):
            continue  # a dated promise with a number is a target
        clause_start, clause_end = _clause_bounds(sentence, match.start(), match.end())
        draft = Draft(kind="milestone", clause=sentence[clause_start:clause_end], start=offset + clause_start,
                      end=offset + clause_end, year=int(match.group(1)))
        draft.lead_departments, draft.cooperating_departments = departments
        drafts.append(draft)
    return drafts


def _departments_after(flat: str, sentence_end: int) -> tuple[list[str], list[str]]:
    """The first responsibility bracket after the sentence, within the same paragraph-sized span."""
    window = flat[sentence_end: sentence_end + 400]
    match = BRACKET.search(window)
    if not match or re.search(r"[（(][一二三四五六七八九十]+[）)]", window[: match.start()]):
        return [], []
    return parse_departments(match.group(0))


def parse_departments(bracket: str) -> tuple[list[str], list[str]]:
    """（省发展改革委、科技厅牵头，省工业和信息化厅…按职责分工负责） -> leads, co-operating.
    Short names inherit the level prefix of the first (省科技厅 from 科技厅 after 省…)."""
    inner = bracket.strip("（）()")
    lead_part, _, rest = inner.partition("牵头")
    cooperating_part = re.sub(r"按职(?:责|能)分工负责|负责|配合", "", rest.lstrip("，,"))
    if not _:
        lead_part, cooperating_part = "", re.sub(r"按职(?:责|能)分工负责|负责|配合", "", inner)
    return _names(lead_part), _names(cooperating_part)


def _names(part: str) -> list[str]:
    names, prefix = [], ""
    for raw in re.split(r"[、，,]|和(?=各)", part):  # 工业和信息化厅 is one name; 和各地… joins two
        name = raw.strip()
        if not name:
            continue
        if name[0] in "省市区县" and len(name) > 2:
            prefix = name[0]
        elif prefix and not name.startswith(("各", "海关")):
            name = prefix + name
        names.append(name)
    return names
