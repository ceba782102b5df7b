"""Read a plan's text and propose its quantitative promises: pure Python, no Django.

General rules of Chinese policy writing, none written for one plan, city or figure:

* A promise is a number with a unit (亿元, 家, %, 个百分点, 平方米, 台/万人 …), or an implied one
  (翻一番, 倍增), in a sentence that looks forward: 到2025年, 2028年，…, 力争, 目标, 培育, 建成 …
* The plan's own sections say what a sentence is: 发展目标 holds goals, 发展基础 holds achievements,
  重点任务 holds tasks; a sentence about 我国/全国/全球 is context.
* A number that sizes what is counted (培育年产值超二十亿元的企业12家) is a qualifier, not a target;
  numbers that name things (十四五, 八大工程, 第三批, 22条重点任务, dates, page furniture) are noise.
* Years: the nearest forward year before the number in the sentence; otherwise the year carried from
  the sentences before it (across ；and 。) until the next top-level heading; otherwise the plan's end
  year. A year after 比/较/以 (比2019年提高2个百分点) is a base year, never the target year.
* A deadline with no number (2018年底前建成…) is a milestone; the bracket after a task names its
  departments (（市发展改革委牵头，市科技局…按职责分工负责）).

Text from PDFs and web pages uses half-width punctuation (, ; : ( )); it is read as full-width.

Draft contract (what intake stores and shows)
---------------------------------------------
kind            target | baseline | milestone
clause          the clause as written; ``start``/``end`` are offsets into ``normalize_text(text)``
                (all whitespace removed), so ``normalize_text(text)[start:end] == clause``
value_text      the number and unit as written (倍增 and 翻一番 are their own value_text)
value           Decimal, value_high for ranges (3-5家); money keeps its written unit (亿元, 万亿元),
                other units fold their 万/亿 into the value (1.5万件 -> 15000 件, 300万亩 -> 3000000 亩)
unit            亿元, 家, %, 个百分点, 倍, 平方米, 亩, 人次, 台/万人, 万元/人, 吨/日 …; "" for fractions
comparator      gte | gt | approx | range | lte | lt | eq
year            target year (milestones: deadline year); None when nothing names one
aspirational    力争/争取/努力
basis           level | cumulative (新增/累计) | annual (每年/年均)
qualifier       baselines only: exact | over | about | at_least | under
lead_departments, cooperating_departments   from the responsibility bracket
confidence      float in [0, 1]; below LOW_CONFIDENCE the intake page collapses the proposal
reasons         tuple of short codes, explained to reviewers by REASON_TEXTS[code] = (english, chinese)
subject         the phrase naming what is measured (生物医药与健康产业营业收入, 上市企业)
sentence_kind   goal | achievement | context | task | other
deadline_text   milestones: the deadline as written (2018年底前)
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .quantities import COUNT_UNITS, EXTRA_COUNT_UNITS, normalize_text, parse_number

LOW_CONFIDENCE = 0.5

REASON_TEXTS = {
    "forward_year": ("names a target year", "给出目标年份"),
    "carried_year": ("year carried from the sentence before", "沿用前文的目标年份"),
    "plan_end_year": ("no year named: the plan's end year is assumed", "未写年份，按规划期末年份"),
    "goal_section": ("in the plan's goal section", "位于发展目标部分"),
    "task_section": ("in the plan's task section", "位于重点任务部分"),
    "goal_verb": ("a verb of commitment governs the number", "有承诺性动词（达到、培育、建设等）"),
    "comparator_word": ("the wording fixes the direction (以上, 超过, 左右 …)", "有比较用语（以上、超过、左右等）"),
    "aspirational": ("an aspiration (力争, 争取)", "为力争性目标（力争、争取）"),
    "implied_multiple": ("doubling or a multiple of a base (倍增, 翻一番)", "倍增、翻番等倍数目标"),
    "relative_to_base_year": ("a change relative to a base year", "相对基期年份的变化量"),
    "no_verb": ("no verb of commitment near the number", "数字附近无承诺性动词"),
    "past_year": ("names a year already past", "所写年份已过去"),
    "achievement_words": ("reports an achievement (截至, 已, 期间 …)", "表述已有成绩（截至、已、期间等）"),
    "baseline_section": ("in the plan's review of its starting point", "位于发展基础部分"),
    "deadline": ("a dated deliverable without a number", "有期限、无数值的交付事项"),
    "headline": ("a title or headline restating a goal", "标题重述目标"),
}

_CN = "零〇一二两三四五六七八九十百千"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+(?:点[{_CN}]+)?)"
_FRACTION = rf"[{_CN}]+分之[{_CN}]+"
_COUNT = "".join(sorted(COUNT_UNITS | EXTRA_COUNT_UNITS))
_DENOMINATOR = r"(?:万人|千人|百人|人|户|亩|平方公里|日|天|年)"
_PLAIN_UNIT = (r"个百分点|百分点|万亿元|亿元|万元|元|人次|平方公里|平方米|公顷|亩|千瓦时|千瓦|兆瓦|吉瓦|吨|立方米|倍|%|％|"
               rf"[{_COUNT}]")
QUANTITY = re.compile(
    rf"(?P<fraction>{_FRACTION})"
    rf"|(?P<low>{_NUM})(?:[-－~～—至到](?P<high>{_NUM}))?(?P<mult>万亿|亿|万)?"
    rf"(?:(?P<unit>{_PLAIN_UNIT})(?:/(?P<per>{_DENOMINATOR}))?)?"
)
IMPLIED_MULTIPLE = re.compile(r"翻两番|翻一番|翻番|倍增")
HALF_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"})
SENTENCE_END = re.compile(r"[。；！？]")
CLAUSE_END = re.compile(r"[，。；！？：]")
YEAR = re.compile(r"(20\d\d)年")
FORWARD_YEAR = re.compile(
    r"(?<!截止)(?<!截)(?:到|至|在|力争|争取|力争到|争取到)(20\d\d)年|(20\d\d)年(?:底|末)?前|(20\d\d)年(?:底|末)?[，：]"
    r"|(20\d\d)年(?:底|末)?(?=[^月日]{0,12}(?:达到|实现|突破|超过|建成|力争))")
BASE_YEAR = re.compile(r"(?:比|较|以|与|相比|同)(20\d\d)年|(20\d\d)年(?:为基|基础上|水平|以来|相比)")
PERIOD = re.compile(r"十([一二三四五])五")
PERIOD_END = {"一": 2010, "二": 2015, "三": 2020, "四": 2025, "五": 2030}
TITLE_RANGE = re.compile(r"(20\d\d)\s*(?:年)?\s*[-－—–~～至]\s*(20\d\d)")
HEADING = re.compile(r"(?:^|(?<=[。；！？\n]))(?P<mark>[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|第[一二三四五六七八九十]+章)"
                     r"(?P<title>[^。；，\n]{2,16})")
GOAL_HEADING = re.compile(r"目标")
BASELINE_HEADING = re.compile(r"基础|现状|成就|成绩|回顾|形势")
TASK_HEADING = re.compile(r"任务|工程|举措|措施|保障|行动|布局|分工")
GOAL_VERB = re.compile(r"达到|达|突破|超过|超|培育|建设|建成|打造|形成|新增|引进|实现|提高|提升|增长|增加|力争|争取|确保|"
                       r"开通|聚集|集聚|创建|认定|发布|制定|推广|带动|保持|稳定在|控制在|降至|下降|降低|减少|覆盖|争创|启动|"
                       r"达标|培训|吸引|完成|新建|改造|布局|占")
ACHIEVEMENT = re.compile(r"截至|截止|已经|已有|已建成|已形成|以来|去年|上年|同比|比上年|较上年|位居|位列|居全国|居全省|跃居|"
                         r"实现了|达到了|完成了|取得了|期末|现有|拥有|目前|近年来|预计20\d\d年|20\d\d年全市|20\d\d年全省")
NATIONAL = re.compile(r"^(?:(?:到|至|截至|截止到?)?20\d\d年(?:底|末)?[，]?|目前[，]?|当前[，]?|预计)?(?:我国|全国|全球|世界|中国|国内|国际)")
PROJECTION = re.compile(r"预计|推算|测算|估算|可以达到|可达|有望|是可以预期|如果|假设|需要达到|按照[^，。]{0,30}(?:计算|增长率|要求)")
PROJECT_TERMS = re.compile(r"项目|有限公司|公司|集团|生产线|厂房")
PROJECT_MEASURE = re.compile(r"(?:总投资|投资|总投入|年产量|产量|年产|日产|产能|年产值|年总产值|达产后?)[^，。；]{0,14}$")
FACILITY_MEASURE = re.compile(r"(?:建筑面积|占地面积|占地|基底面积|用地面积)[^，。；]{0,6}$")
LOCAL = re.compile(r"全省|全市|全区|全县|我省|我市|我区|本市|本省")
LIST_COUNT = re.compile(r"^(?:条|项|个|大)?(?:重点|具体)?(?:工作)?(?:任务|举措|措施|政策|条款|方面|行动|工程|意见|部分|章|篇|领域|维度)")
LIST_VERB = re.compile(r"(?:出台|提出|推出|确定|实施|涉及|包括|围绕|分为|共|从|部署|明确)[^，。；]{0,20}$")
PAGE_FURNITURE = re.compile(r"(?:阅读|点击|浏览|评论|阅读量|访问)[量数]?[：:]?$")
PROJECT_FIGURE = re.compile(r"项目[^，。；]{0,20}(?:总投资|投资|占地|建筑面积|用地|规划面积)|(?:总投资|占地|建筑面积|用地面积)$")
BRACKET = re.compile(r"（([^（）]{2,120}?)(?:牵头|负责)[^（）]*）")
MILESTONE = re.compile(r"(20\d\d)年(?:底|末)?前[^，。；]{0,6}?(?:建成|完成|建立|出台|制定|启动|实现|上线)([^，。；]{2,60})")
NOT_A_NUMBER_WORD = ("一批", "一系列", "二次开发", "二次创业", "一流", "一体", "一核", "一带", "一圈", "一网", "一张", "一站", "一号", "一件事",
                     "一把手", "一次性", "一些", "一定", "一步", "一线", "一代", "一产", "二产", "三产", "一二三")


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
    confidence: float = 0.0
    reasons: tuple[str, ...] = ()
    subject: str = ""
    sentence_kind: str = "other"
    deadline_text: str = ""


@dataclass
class _Plan:
    """What the whole text says about itself: its end year, when it was written, its sections."""
    end_year: int | None
    written_year: int | None
    sections: list[tuple[int, int, str]]  # (start, level, kind: goal|baseline|task|other)


@dataclass
class _Found:
    start: int
    end: int
    value: Decimal
    value_high: Decimal | None
    unit: str
    text: str
    implied: bool = False


def read_plan(text: str) -> list[Draft]:
    """All drafts in a plan, in reading order."""
    flat = normalize_text(text)
    canon = _canonical(text, flat)
    plan = _plan_facts(canon)
    drafts: list[Draft] = []
    carried: int | None = None
    previous_kind, after_semicolon = "other", False
    for start, end in _sentences(canon):
        sentence = canon[start:end]
        section = _section_at(plan, start)
        if _heading_starts(plan, start) or (section[2] == "task" and not after_semicolon):
            carried = None  # a year does not pass into a new section, nor from one task item to the next
        departments = _departments_after(canon, end)
        kind = _sentence_kind(sentence, section[2], plan)
        if after_semicolon and previous_kind in ("achievement", "context") and not _has_forward_cue(sentence, plan):
            kind = previous_kind  # “十三五”期间，A；B — B looks back too
        drafts += _quantities(flat, canon, start, sentence, plan, carried, kind, section[2], departments)
        drafts += _milestones(flat, start, sentence, departments, kind)
        carried = _carried_year(sentence, plan) or carried
        previous_kind, after_semicolon = kind, canon[end: end + 1] == "；"
    return _multiples_of_stated_bases(drafts)


def _multiples_of_stated_bases(drafts: list[Draft]) -> list[Draft]:
    """倍增 or 翻一番 of a base the plan states (2022年营业收入为300亿元 … 实现倍增) is 2 × that base."""
    for index, draft in enumerate(drafts):
        if draft.kind != "target" or draft.unit != "倍" or draft.value_text == str(draft.value):
            continue
        for base in reversed(drafts[max(0, index - 6): index]):
            if base.kind == "baseline" and base.value is not None and base.unit and _shares_subject(base, draft):
                draft.value, draft.unit = base.value * draft.value, base.unit
                draft.reasons += ("implied_multiple",) if "implied_multiple" not in draft.reasons else ()
                break
    return drafts


def _shares_subject(base: Draft, draft: Draft) -> bool:
    words = {base.subject[i: i + 2] for i in range(len(base.subject) - 1)}
    return any(draft.clause[i: i + 2] in words for i in range(len(draft.clause) - 1)) or not draft.subject



# --- the text and its structure ---

def _canonical(text: str, flat: str) -> _Canon:
    """Full-width punctuation, and the offsets where a line of the source ended a sentence without
    punctuation (web pages lose 。 after headings and list items). Same length as flat."""
    lines = [re.sub(r"\s+", "", line) for line in text.splitlines()]
    widths = [len(line) for line in lines if line and not re.search(r"[。；！？：]$", line)]
    wrapped = _hard_wrapped(widths, len([line for line in lines if line]))
    breaks, position = set(), 0
    for line in lines:
        position += len(line)
        if line and 0 < position < len(flat) and (not wrapped or len(line) < wrapped * 0.7):
            breaks.add(position)
    return _Canon(flat.translate(HALF_TO_FULL), breaks)


def _hard_wrapped(widths: list[int], line_count: int) -> int:
    """The wrap width of text cut into lines at a fixed width (PDF extracts), or 0."""
    if len(widths) < 5 or len(widths) < 0.4 * line_count:
        return 0
    common, count = Counter(w // 3 for w in widths).most_common(1)[0]
    return common * 3 + 2 if count >= 0.4 * len(widths) else 0


class _Canon(str):
    """The canonical text, carrying the offsets where the source broke a line."""

    def __new__(cls, value: str, breaks: set[int]):
        instance = super().__new__(cls, value)
        instance.breaks = breaks
        return instance


def _sentences(canon: _Canon):
    cuts = sorted({m.end() for m in SENTENCE_END.finditer(canon)} | set(canon.breaks))
    start = 0
    for cut in cuts:
        if cut > start:
            yield start, cut - (1 if SENTENCE_END.match(canon, cut - 1) else 0)
        start = cut
    if start < len(canon):
        yield start, len(canon)


def _plan_facts(canon: _Canon) -> _Plan:
    head = canon[:400]
    title_range = TITLE_RANGE.search(head)
    forward_years = [int(next(g for g in m.groups() if g)) for m in FORWARD_YEAR.finditer(canon)
                     if not (not (m.group(1)) and _looks_back(canon, m))]
    periods = [PERIOD_END[m.group(1)] for m in PERIOD.finditer(canon)]
    if title_range:
        end_year, written = int(title_range.group(2)), int(title_range.group(1))
    else:
        explicit = [int(next(g for g in m.groups()[:2] if g)) for m in FORWARD_YEAR.finditer(canon) if m.group(1) or m.group(2)]
        counts = Counter(explicit or [y for y in forward_years if y >= 2000])
        end_year = max(counts, key=lambda y: (counts[y], -y)) if counts else (max(periods) if periods else None)
        dates = [int(y) for y in re.findall(r"(20\d\d)(?:年\d{1,2}月|-\d{1,2}-\d{1,2}|-\d{4})", canon)]
        written = min(dates) if dates else (end_year - 3 if end_year else None)
    return _Plan(end_year=end_year, written_year=written, sections=_sections(canon))


def _sections(canon: _Canon) -> list[tuple[int, int, str]]:
    found = []
    for match in HEADING.finditer(canon):
        if match.start() and match.start() not in canon.breaks and not SENTENCE_END.match(canon, match.start() - 1):
            continue
        level = 1 if match["mark"].endswith("、") or match["mark"].startswith("第") else 2
        title = match["title"]
        kind = ("goal" if GOAL_HEADING.search(title) else "baseline" if BASELINE_HEADING.search(title)
                else "task" if TASK_HEADING.search(title) else "other")
        found.append((match.start(), level, kind))
    return found


def _section_at(plan: _Plan, position: int) -> tuple[int, int, str]:
    """The innermost section around a position; a level-2 section inherits its parent's kind when it
    has none of its own (（三）产业创新能力 under 二、发展目标 is still the goal section)."""
    current, parent = (0, 0, "other"), (0, 0, "other")
    for section in plan.sections:
        if section[0] > position:
            break
        if section[1] == 1:
            parent, current = section, section
        else:
            current = section if section[2] != "other" else (section[0], 2, parent[2])
    return current


def _heading_starts(plan: _Plan, position: int) -> bool:
    return any(start == position and level == 1 for start, level, _kind in plan.sections)


# --- sentences ---

def _sentence_kind(sentence: str, section_kind: str, plan: _Plan) -> str:
    forward = _has_forward_cue(sentence, plan)
    if NATIONAL.search(sentence) and not LOCAL.search(sentence) or PROJECTION.search(sentence):
        return "context"
    if _is_achievement(sentence, plan) and not _forward_years(sentence, plan):
        return "achievement"
    if forward or section_kind == "goal":
        return "goal"
    if section_kind == "task":
        return "task"
    if section_kind == "baseline":
        return "achievement"
    return "other"


def _clause_kind(clause: str, plan: _Plan, sentence_kind: str) -> str:
    """A clause that looks back inside a forward sentence (十二五期末…超过3000亿元，到2020年…) is an
    achievement of its own."""
    if sentence_kind == "goal" and not _forward_years(clause, plan) and (
            re.search(r"截至|截止|以来|期末", clause) or _past_period(clause, plan)):
        return "achievement"
    return sentence_kind


def _has_forward_cue(sentence: str, plan: _Plan) -> bool:
    return bool(_forward_years(sentence, plan)) or bool(re.search(r"力争|争取|目标|到“?十[三四五]五”?期末|将", sentence))


def _is_achievement(sentence: str, plan: _Plan) -> bool:
    if ACHIEVEMENT.search(sentence):
        return True
    if _past_period(sentence, plan):
        return True
    return any(_is_past_year(int(y), plan) for y in _bare_years(sentence))


def _past_period(sentence: str, plan: _Plan) -> bool:
    """十三五期间 in a plan for 2025 looks back."""
    for match in PERIOD.finditer(sentence):
        end = PERIOD_END[match.group(1)]
        if plan.end_year and end < plan.end_year and re.match(r"”?(?:期间|时期|以来|期末|末)", sentence[match.end():]):
            return True
    return False


def _bare_years(sentence: str) -> list[str]:
    """Years that are neither forward (到2025年) nor base years (比2019年) nor dates (2023年10月)."""
    years = []
    for match in YEAR.finditer(sentence):
        before, after = sentence[max(0, match.start() - 3): match.start()], sentence[match.end(): match.end() + 2]
        if re.search(r"[到至在]$|力争$|争取$", before) and not _looks_back(sentence, match) or re.match(r"\d|底前|前|末前", after) or re.match(r"\d{1,2}月", after):
            continue
        if re.search(r"[比较以与]$", before):
            continue
        years.append(match.group(1))
    return years


def _is_past_year(year: int, plan: _Plan) -> bool:
    if plan.written_year is not None:
        return year <= plan.written_year
    return plan.end_year is not None and year < plan.end_year - 2


def _forward_years(sentence: str, plan: _Plan) -> list[tuple[int, int]]:
    """(position, year) of the forward years in a sentence: 到2025年, 2025年底前, 2028年，…, 十四五期末."""
    found = []
    base_positions = {m.start(m.lastindex) for m in BASE_YEAR.finditer(sentence)}
    for match in FORWARD_YEAR.finditer(sentence):
        index = next(i for i, g in enumerate(match.groups(), 1) if g)
        year = int(match.group(index))
        bare = index >= 3
        if match.start(index) in base_positions or (bare and (_is_past_year(year, plan) or _looks_back(sentence, match))):
            continue
        found.append((match.start(), year))
    for match in re.finditer(r"十([三四五])五”?(?:期末|期间|时期)", sentence):
        end = PERIOD_END[match.group(1)]
        if not plan.end_year or end >= plan.end_year:
            found.append((match.start(), end))
    return sorted(found)


def _looks_back(text: str, match: re.Match) -> bool:
    """截至2021年，… names the date of a position reached, not a target year."""
    return bool(re.search(r"(?:截至|截止到?)$", text[max(0, match.start() - 3): match.start()]))


def _carried_year(sentence: str, plan: _Plan) -> int | None:
    """The year the next sentences inherit; a vision year far past the plan's end (展望2035年) is not
    carried to the figures that follow it."""
    years = [year for _at, year in _forward_years(sentence, plan)
             if plan.end_year is None or year <= plan.end_year + 5]
    return years[-1] if years else None


# --- quantities ---

def _quantities(flat, canon, offset, sentence, plan, carried, kind, section_kind, departments) -> list[Draft]:
    drafts = []
    previous_end = 0
    for found in _numbers(sentence):
        noise = _noise(sentence, found, previous_end)
        if noise:
            if noise == "qualifier":
                previous_end = found.end
            continue
        clause_start, clause_end = _clause_bounds(sentence, found.start, found.end)
        clause = sentence[clause_start:clause_end]
        clause_kind = _clause_kind(sentence[clause_start:clause_end], plan, kind)
        draft_kind = "baseline" if clause_kind == "achievement" else "target"
        if clause_kind == "context":
            previous_end = found.end
            continue
        year, year_reason = _year_for(sentence, found.start, plan, carried, draft_kind)
        draft = Draft(
            kind=draft_kind, clause=flat[offset + clause_start: offset + clause_end],
            start=offset + clause_start, end=offset + clause_end, value_text=flat[offset + found.start: offset + found.end],
            value=found.value, value_high=found.value_high, unit=found.unit, year=year,
            aspirational=bool(re.search(r"力争|争取|努力|争创", sentence[:found.end])),
            basis=_basis(sentence, clause, found), sentence_kind=kind,
        )
        draft.comparator = _comparator(sentence, found, max(previous_end, clause_start))
        per = re.search(r"每(万|千|百)?(人口|人|户|平方公里)", sentence[clause_start: found.start])
        if per and "/" not in draft.unit:
            draft.unit = f"{draft.unit}/{per.group(1) or ''}{'人' if per.group(2) == '人口' else per.group(2)}"
        draft.subject = _subject(sentence, clause_start, clause_end, found)
        if draft_kind == "baseline":
            draft.qualifier = _qualifier(sentence, found)
        else:
            draft.lead_departments, draft.cooperating_departments = departments
        draft.reasons = _reasons(sentence, clause, found, draft, kind, section_kind, year_reason)
        draft.confidence = _confidence(draft.reasons, draft_kind)
        if draft_kind == "target" and _is_headline(canon, offset, offset + len(sentence), sentence):
            draft.reasons += ("headline",)
            draft.confidence = min(draft.confidence, 0.3)
        drafts.append(draft)
        previous_end = found.end
    return drafts


def _numbers(sentence: str) -> list[_Found]:
    found = []
    for match in QUANTITY.finditer(sentence):
        quantity = _parse(match)
        if quantity is not None:
            found.append(quantity)
    for match in IMPLIED_MULTIPLE.finditer(sentence):
        value = Decimal(4) if match.group() == "翻两番" else Decimal(2)
        found.append(_Found(match.start(), match.end(), value, None, "倍", match.group(), implied=True))
    for match in re.finditer(r"(?:增长|提高|增加)(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)倍", sentence):
        # 增长2倍 is three times the base; the plain "N倍" match is replaced
        found = [f for f in found if not (f.start == match.start(1) and f.unit == "倍")]
        value = parse_number(match.group(1)) + 1
        found.append(_Found(match.start(1), match.end(), value, None, "倍", match.group()[2:], implied=True))
    return sorted(found, key=lambda f: f.start)


def _parse(match: re.Match) -> _Found | None:
    if match["fraction"]:
        denominator, _, numerator = match["fraction"].partition("分之")
        try:
            value = parse_number(numerator) / parse_number(denominator)
        except (ValueError, ArithmeticError, KeyError, TypeError):
            return None
        return _Found(match.start(), match.end(), value, None, "", match.group())
    mult, unit, per = match["mult"] or "", match["unit"] or "", match["per"]
    if not unit:
        if mult not in ("亿", "万亿") or re.match(r"[美港欧日]", match.string[match.end(): match.end() + 1]):
            return None  # 3.34万移民; foreign currencies are not read
        unit = ""  # 200亿 / 10亿以上企业: money without 元
    try:
        low = parse_number(match["low"])
        high = parse_number(match["high"]) if match["high"] else None
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return None
    unit = "%" if unit == "％" else ("个百分点" if unit == "百分点" else unit)
    if unit in ("元", "") and (mult or unit == "元"):
        unit = f"{mult}元"
    elif mult:
        factor = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12}[mult]
        low, high = low * factor, (high * factor if high is not None else None)
    if per:
        unit = f"{unit}/{per}"
    return _Found(match.start(), match.end(), low, high, unit, match.group())


def _noise(sentence: str, found: _Found, previous_end: int) -> str:
    """Why a number is not a promise of its own: '' when it may be one."""
    start, end = found.start, found.end
    before, after = sentence[max(0, start - 12): start], sentence[end: end + 12]
    text = found.text
    if found.implied:
        return "name" if _in_quotes(sentence, start) else ""
    if re.match(r"\d+\.\d*$|\d+$", text) and not found.unit:
        return "bare"
    if before.endswith(("第", "每")) or (before.endswith("十") and text.startswith("五")):
        return "ordinal"
    if re.match(r"[年月日号期版届次批]", after) and found.unit in ("", "次", "批") or re.match(r"[年月日]|号|期|版|届", after):
        return "date"
    if re.match(r"五”|五规划|五时期|五期间", sentence[end - 1: end + 3]) or re.match(r"[五大]", after[:1]) and len(text) <= 2:
        return "name"
    if any(sentence.startswith(word, start) for word in NOT_A_NUMBER_WORD):
        return "name"
    if PAGE_FURNITURE.search(before):
        return "furniture"
    if found.unit in ("条", "项", "个", "大") and (LIST_COUNT.match(after) or (LIST_VERB.search(before) and LIST_COUNT.match(after))):
        return "list"
    if re.fullmatch(r"一[个支家套座项条种批]", text) and not _counted_one(sentence, found):
        return "article"  # 建设一支队伍: an article, not a count to track
    if re.search(r"(?<!控制)(?<!稳定)(?<!保持)(?<!维持)在$", before) and re.match(r"以下|以上|以内", after):
        return "condition"  # 建筑面积在300平方米以下的: a condition of a rule
    if re.match(r"(?:以下|以上)的", after) and found.unit != "%":
        return "qualifier"
    if _in_quotes(sentence, start) or re.search(r"[A-Za-z]$", before):
        return "name"  # “五个专业化”, “三位一体”, KN95
    if _restates_enumeration(sentence, found):
        return "enumeration"
    if _is_qualifier(sentence, found):
        return "qualifier"
    if re.fullmatch(r"[十百千万]+", re.sub(r"(?:万亿|亿|万)?(?:元|[^\d十百千万])*$", "", text) or "x") and found.unit.endswith("元") \
            and re.match(r"[^\d，。；、以左]", after[:1] or "。"):
        return "qualifier"  # 千亿元预制菜产业: a size class written as a magnitude word
    if re.fullmatch(r"[十百千]", text[:1]) and len(re.sub(r"[^十百千万零〇一二两三四五六七八九\d]", "", text)) == 1:
        return "name"  # 千人计划
    if FACILITY_MEASURE.search(before) or PROJECT_FIGURE.search(sentence[max(0, start - 30): start]) or (
            PROJECT_TERMS.search(sentence) and PROJECT_MEASURE.search(sentence[max(0, start - 16): start])):
        return "project"
    if re.search(r"[+＋]$", before) or re.match(r"[+＋]", after):
        return "name"
    return ""


def _counted_one(sentence: str, found: _Found) -> bool:
    """一个/一家 is a count to track when dated (2018年底前建设一家…) or one of a list of them
    (打造一个总部集聚区、一个研发设计中心…)."""
    dated = bool(re.search(r"20\d\d年(?:底|末)?前", sentence[: found.start]))
    listed = len(re.findall(r"一[个家座]", sentence)) >= 2 and re.search(r"、一[个家座]|^一[个家座][^、]{1,14}、一", sentence[found.start - 1:])
    return dated or bool(listed)


def _in_quotes(sentence: str, position: int) -> bool:
    """Inside a short “…” (a slogan or a name), not a promise."""
    opening = sentence.rfind("“", 0, position)
    if opening < 0 or sentence.rfind("”", 0, position) > opening:
        return False
    closing = sentence.find("”", position)
    return 0 <= closing - opening <= 60


def _restates_enumeration(sentence: str, found: _Found) -> bool:
    """前海、罗湖、盐田、大鹏、坪山5个区域: the number counts the names just listed."""
    clause_start = max((m.end() for m in CLAUSE_END.finditer(sentence, 0, found.start)), default=0)
    head = sentence[clause_start: found.start]
    items = re.search(r"((?:[^、，。；]{1,10}、){1,}[^、，。；]{1,10})$", head)
    if not items or found.value_high is not None or re.search(r"等$", head):
        return False
    return found.value == items.group(1).count("、") + 1


def _is_qualifier(sentence: str, found: _Found) -> bool:
    """Money (or a count) that sizes the things counted: 年产值超二十亿元的企业12家, 15个千亿元产业集群,
    10亿以上企业, 主营业务收入上亿元的文化企业120户."""
    if not found.unit.endswith("元") and found.unit != "":
        return False
    rest = sentence[found.end: found.end + 24]
    rest = re.sub(r"^(?:以上|以下|级|规模|左右|量级)", "", rest)
    if re.match(r"的?[^，。；、\d]{0,10}?(?:企业|集群|基地|园区|项目|龙头|产业链|平台|品牌|单品|医院|市场|行业|群体|公司|工厂|大单品|产品)",
                rest) and not re.match(r"[，。；、]", rest[:1] or "。"):
        clause_end = CLAUSE_END.search(sentence, found.end)
        tail = sentence[found.end: clause_end.start() if clause_end else len(sentence)]
        before = sentence[max(0, found.start - 6): found.start]
        if re.search(r"[\d一二三四五六七八九十两]+(?:万|亿)?[家个户座项]", tail) or re.search(r"[超上逾]$|[\d一二三四五六七八九十两]+[家个户座]$", before):
            return True
        if re.match(r"的|以上|级|规模", sentence[found.end: found.end + 2]):
            return True
    return False


def _clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The comma-delimited clause around the number, widened to take in the lead-in that
    carries its year or verb (到2025年，… ) when the clause itself is short."""
    left = max((m.end() for m in CLAUSE_END.finditer(sentence, 0, start)), default=0)
    right_match = CLAUSE_END.search(sentence, end)
    right = right_match.start() if right_match else len(sentence)
    if left > 0 and re.fullmatch(r"(?:.*?(?:到|在|至))?20\d\d年(?:底|末)?(?:前)?|力争|争取", sentence[max(0, left - 10): left - 1] or ""):
        left = max((m.end() for m in CLAUSE_END.finditer(sentence, 0, left - 1)), default=0)
    return left, right


def _year_for(sentence: str, position: int, plan: _Plan, carried: int | None, kind: str) -> tuple[int | None, str]:
    forward = [year for at, year in _forward_years(sentence, plan) if at < position]
    if forward:
        return forward[-1], "forward_year"
    if kind == "baseline":
        years = [int(y) for y in _bare_years(sentence[:position])] or [int(y) for y in _bare_years(sentence)]
        if years:
            return years[-1], "past_year"
        if re.search(r"去年|上年", sentence) and plan.written_year:
            return plan.written_year - 1, "past_year"
        return None, ""
    if carried:
        return carried, "carried_year"
    later = _forward_years(sentence, plan)
    if later:
        return later[0][1], "forward_year"
    return plan.end_year, "plan_end_year" if plan.end_year else ""


def _basis(sentence: str, clause: str, found: _Found) -> str:
    head = clause[: clause.find(found.text)] if found.text in clause else sentence[max(0, found.start - 12): found.start]
    if re.search(r"每年|年均|年平均|年度", head):
        return "annual"
    if re.search(r"新增|累计|新建|新培育|新引进", head):
        return "cumulative"
    return "level"


def _comparator(sentence: str, found: _Found, window_start: int) -> str:
    """The comparator from the words next to this number only: a 超 that qualified the money before it
    does not leak into the count after it, and 不低于 is not 低于."""
    if found.value_high is not None:
        return "range"
    before = sentence[max(window_start, found.start - 8): found.start]
    after = sentence[found.end: found.end + 4]
    if re.match(r"左右|上下", after) or re.search(r"(?:约|大约|近)$", before):
        return "approx"
    if re.search(r"不[得应能宜]?(?:低于|少于|小于|下于)", before):
        return "gte"
    if re.search(r"不[得应能宜]?(?:超过|高于|多于|大于)", before):
        return "lte"
    if re.match(r"以内|以下", after) or re.search(r"控制在|降至|下降|降低|减少|压减|压缩", before):
        return "lte"
    if re.search(r"低于|少于", before):
        return "lt"
    if re.search(r"以上", after[:2]):
        return "gte"
    if re.search(r"(?:超过|超|突破|高于|多于|逾)(?:了)?$", before) or re.match(r"余|多[家个项]?", after):
        return "gt"
    return "gte"


def _qualifier(sentence: str, found: _Found) -> str:
    before, after = sentence[max(0, found.start - 4): found.start], sentence[found.end: found.end + 3]
    if re.search(r"超过|超|逾", before) or after.startswith(("多", "余")):
        return "over"
    if after.startswith(("左右", "上下")) or re.search(r"约|近$", before):
        return "about"
    if after.startswith("以上"):
        return "at_least"
    if after.startswith(("以下", "以内")):
        return "under"
    return "exact"


def _subject(sentence: str, clause_start: int, clause_end: int, found: _Found) -> str:
    """The phrase naming what is measured: the clause before the number without its year, scope and
    verb; when only a verb is left (培育上市企业12家 has one before), the words after the unit."""
    head = sentence[clause_start: found.start]
    head = re.sub(r"^.*?20\d\d年(?:底|末)?(?:前)?[，]?", "", head)
    head = re.sub(r"^(?:力争|争取|努力|确保|其中|同时|并|全省|全市|全区|我省|我市|本市|届时|实现|每年|年均)+", "", head)
    head = re.sub(r"^每(?:万|千|百)?(?:人口|人|户)(?:拥有)?", "", head)
    head = re.sub(r"(?:达到|达|突破|超过|超|为|稳定在|保持在|控制在|提高到|提升到|提高|提升|增长|增加|降至|下降|降低|"
                  r"实现|力争|争取|不低于|不少于|不超过|约|近|比20\d\d年|较20\d\d年|年均|每年|占比|占)+$", "", head)
    head = re.sub(r"^(?:培育|建设|建成|打造|形成|新增|引进|新建|开通|创建|聚集|集聚|认定|发布|制定|推动|带动|引领带动|启动|"
                  r"分批次启动|建设提升|其中)+", "", head)
    head = head.strip("，、：“”（）")
    if len(head) >= 2:
        return head[-40:]
    tail = sentence[found.end: clause_end]
    tail = re.sub(r"^(?:以上|左右|以下|以内|的)+", "", tail)
    return tail.strip("，、：“”（）")[:40]


def _reasons(sentence, clause, found, draft, kind, section_kind, year_reason) -> tuple[str, ...]:
    reasons = []
    if year_reason:
        reasons.append(year_reason)
    if section_kind == "goal":
        reasons.append("goal_section")
    elif section_kind == "task":
        reasons.append("task_section")
    elif section_kind == "baseline":
        reasons.append("baseline_section")
    window = sentence[max(0, found.start - 14): found.start]
    if GOAL_VERB.search(window) or GOAL_VERB.search(sentence[found.end: found.end + 6]):
        reasons.append("goal_verb")
    else:
        reasons.append("no_verb")
    if re.search(r"以上|左右|超过|突破|不低于|不少于|以内|不超过", sentence[max(0, found.start - 6): found.end + 3]):
        reasons.append("comparator_word")
    if draft.aspirational:
        reasons.append("aspirational")
    if found.unit == "倍":
        reasons.append("implied_multiple")
    if re.search(r"[比较]20\d\d年", sentence[max(0, found.start - 20): found.start]) or found.unit == "个百分点":
        reasons.append("relative_to_base_year")
    if kind == "achievement":
        reasons.append("achievement_words" if ACHIEVEMENT.search(sentence) else "past_year")
    return tuple(dict.fromkeys(reasons))


_WEIGHTS = {"forward_year": 0.25, "carried_year": 0.15, "plan_end_year": 0.0, "goal_section": 0.2, "task_section": -0.1,
            "goal_verb": 0.1, "comparator_word": 0.1, "aspirational": 0.05, "implied_multiple": 0.05,
            "relative_to_base_year": 0.0, "no_verb": -0.15, "baseline_section": -0.1}


def _confidence(reasons: tuple[str, ...], kind: str) -> float:
    if kind == "baseline":
        score = 0.5 + (0.2 if "achievement_words" in reasons else 0.1) + (0.1 if "past_year" in reasons else 0.0)
    else:
        score = 0.35 + sum(_WEIGHTS.get(code, 0.0) for code in reasons)
    return round(max(0.05, min(0.98, score)), 2)


def _is_headline(canon: str, offset: int, end: int, sentence: str) -> bool:
    """A short title line before the body (浙江：到2025年…比重达60%左右) restates a goal of the body:
    it ends at a line break without punctuation and more text follows."""
    return (offset < 200 and len(sentence) < 40 and "，" not in sentence and end < len(canon) - 40
            and canon[end: end + 1] not in "。；！？")


# --- milestones and departments ---

def _milestones(flat, offset, sentence, departments, kind) -> list[Draft]:
    drafts = []
    for match in MILESTONE.finditer(sentence):
        tail = match.group(2)
        if any(_parse(m) for m in QUANTITY.finditer(tail)):
            continue  # a dated promise with a number is a target
        clause_start, clause_end = _clause_bounds(sentence, match.start(), match.end())
        deadline = re.match(r"20\d\d年(?:底|末)?前", sentence[match.start():])
        draft = Draft(kind="milestone", clause=flat[offset + clause_start: offset + clause_end], start=offset + clause_start,
                      end=offset + clause_end, year=int(match.group(1)), sentence_kind=kind,
                      deadline_text=deadline.group() if deadline else "", reasons=("forward_year", "deadline"),
                      confidence=0.7, subject=tail[:40])
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
