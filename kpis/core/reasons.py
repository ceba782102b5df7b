"""Short English and Chinese explanations of each status, built column-wise."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpis.core.thresholds import Thresholds

_QUALIFIER_NOTES = {
    "over": ("baseline is a lower bound ('over')", "基期值为下限（原文“超过”）"),
    "at_least": ("baseline is a lower bound ('at least')", "基期值为下限（原文“以上”）"),
    "about": ("baseline is approximate ('about')", "基期值为约数（原文“左右”）"),
    "under": ("baseline is an upper bound ('under')", "基期值为上限（原文“不到”）"),
}


def _int_text(series: pd.Series) -> pd.Series:
    return series.fillna(0).astype("int64").astype(str)


def _one_decimal_text(values: pd.Series) -> pd.Series:
    return pd.Series(np.char.mod("%.1f", values.to_numpy(dtype=float)), index=values.index)


def _append(text: pd.Series, mask, note, separator: str = "; ") -> pd.Series:
    """Add `note` (a string or a Series) after `text` where `mask` holds. Only the masked rows
    are concatenated: string work on every row is the engine's slowest step at scale."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return text
    result = text.copy()
    addition = note[mask] if isinstance(note, pd.Series) else note
    result[mask] = text[mask] + separator + addition
    return result


def _append_zh(text: pd.Series, mask, note) -> pd.Series:
    return _append(text, mask, note, separator="；")


def _status_sentences(frame: pd.DataFrame, as_of_year: int, thresholds: Thresholds) -> tuple[pd.Series, pd.Series]:
    status = frame["status"]
    annual = frame["basis"].eq("annual")
    latest = _int_text(frame["latest_year"])
    target_year = _int_text(frame["target_year"])
    met, reported = _int_text(frame["years_met"]), _int_text(frame["years_reported"])
    behind_pct = _one_decimal_text((1.0 - frame["trajectory_ratio"]) * 100.0)
    ratio = frame["trajectory_ratio"]
    path_unknown = ratio.isna()
    behind_unscaled = np.isneginf(ratio.to_numpy(dtype=float))
    on_path = ratio >= thresholds.on_track_ratio

    below_en = pd.Series(
        np.where(behind_unscaled, "below trajectory", "below trajectory by " + behind_pct + "%"), index=frame.index
    )
    below_zh = pd.Series(np.where(behind_unscaled, "低于预期进度", "低于预期进度" + behind_pct + "%"), index=frame.index)
    behind_en = below_en.where(~path_unknown, "trajectory unknown: no baseline and a single figure")
    behind_zh = below_zh.where(~path_unknown, "缺少基期值且仅有一个数据点，无法判断进度")
    rescued_en = below_en.where(~path_unknown, "trajectory unknown") + "; projection meets target by " + target_year
    rescued_zh = below_zh.where(~path_unknown, "无法判断进度") + "，但按趋势预测" + target_year + "年可达标"

    cases = [
        (status.eq("no_data"), "no approved actuals", "暂无已审定的实际数据"),
        (status.eq("achieved") & annual, "met in all " + reported + " reported years", "已报告的" + reported + "个年份全部达标"),
        (status.eq("achieved"), "target met in " + latest, latest + "年已达到目标"),
        (annual, "met in " + met + " of " + reported + " reported years", "已报告的" + reported + "个年份中" + met + "个达标"),
        (
            status.eq("overdue"),
            "target year " + target_year + " passed; latest (" + latest + ") misses target",
            "目标年份" + target_year + "年已过，最新数据（" + latest + "年）未达标",
        ),
        (status.eq("on_track") & on_path, "at or above trajectory", "达到或快于预期进度"),
        (status.eq("on_track"), rescued_en, rescued_zh),
    ]
    conditions = [condition.to_numpy(dtype=bool) for condition, _, _ in cases]
    english = np.select(
        conditions, [np.asarray(en, dtype=object) for _, en, _ in cases], default=behind_en.to_numpy(dtype=object)
    )
    chinese = np.select(
        conditions, [np.asarray(zh, dtype=object) for _, _, zh in cases], default=behind_zh.to_numpy(dtype=object)
    )
    english, chinese = pd.Series(english, index=frame.index), pd.Series(chinese, index=frame.index)
    deadline_gone = status.eq("no_data") & (frame["target_year"] < as_of_year)
    english = _append(english, deadline_gone, "target year " + target_year + " passed")
    chinese = _append_zh(chinese, deadline_gone, "目标年份" + target_year + "年已过")
    return english, chinese


def _baseline_notes(frame: pd.DataFrame, english: pd.Series, chinese: pd.Series) -> tuple[pd.Series, pd.Series]:
    level = frame["basis"].eq("level")
    higher = frame["higher"]
    formula_en = pd.Series(np.where(higher, "progress = actual/target", "progress = target/actual"), index=frame.index)
    formula_zh = pd.Series(np.where(higher, "进度按实际值/目标值计算", "进度按目标值/实际值计算"), index=frame.index)
    # Which progress formula applied only matters once there is a figure to apply it to.
    judged = level & (frame["n_points"] > 0)
    missing = judged & frame["baseline_value"].isna()
    beyond = judged & frame["baseline_value"].notna() & ~frame["baseline_usable"]
    english = _append(english, missing, "no baseline: " + formula_en)
    chinese = _append_zh(chinese, missing, "无基期值：" + formula_zh)
    english = _append(english, beyond, "baseline already at or beyond target: " + formula_en)
    chinese = _append_zh(chinese, beyond, "基期值已达到或超过目标：" + formula_zh)
    for qualifier, (note_en, note_zh) in _QUALIFIER_NOTES.items():
        qualified = level & frame["baseline_value"].notna() & frame["baseline_qualifier"].eq(qualifier)
        english = _append(english, qualified, note_en)
        chinese = _append_zh(chinese, qualified, note_zh)
    return english, chinese


def _growth_and_coverage_notes(frame: pd.DataFrame, english: pd.Series, chinese: pd.Series) -> tuple[pd.Series, pd.Series]:
    has_pair = frame["anchor_value"].notna() & frame["latest_value"].notna() & frame["basis"].eq("level")
    has_pair &= frame["latest_year"] > frame["anchor_year"]
    product = frame["anchor_value"] * frame["latest_value"]
    opposite = has_pair & (product < 0)
    not_positive = has_pair & (product >= 0) & ((frame["anchor_value"] <= 0) | (frame["latest_value"] <= 0))
    english = _append(english, opposite, "no CAGR: values of opposite sign")
    chinese = _append_zh(chinese, opposite, "基期值与最新值符号相反，不计算年均增速")
    english = _append(english, not_positive, "no CAGR: values not both positive")
    chinese = _append_zh(chinese, not_positive, "基期值或最新值非正，不计算年均增速")
    unreported = (frame["years_due"] - frame["years_reported"]).fillna(0)
    gaps = frame["basis"].eq("annual") & (unreported > 0) & (frame["years_reported"] > 0)
    english = _append(english, gaps, _int_text(unreported) + " due years unreported")
    chinese = _append_zh(chinese, gaps, _int_text(unreported) + "个应报年份暂无数据")
    return english, chinese


def explain_status(frame: pd.DataFrame, as_of_year: int, thresholds: Thresholds) -> tuple[pd.Series, pd.Series]:
    """(reason, reason_zh): the status sentence, then notes on baseline and data caveats."""
    english, chinese = _status_sentences(frame, as_of_year, thresholds)
    english, chinese = _baseline_notes(frame, english, chinese)
    return _growth_and_coverage_notes(frame, english, chinese)
