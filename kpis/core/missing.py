"""What counts as "no value": one test for every layer that turns frames into cells and fields."""

from __future__ import annotations

import math


def is_missing(value) -> bool:
    """None, NaN (pandas and numpy give it for missing numbers), infinities and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isinf(value))
    except TypeError:  # pandas.NA refuses to compare
        return True
