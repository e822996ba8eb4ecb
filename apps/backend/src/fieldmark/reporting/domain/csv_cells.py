"""CSV cells a spreadsheet would run as formulas are neutralised, as OWASP recommends: any text cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Visitors choose event
names, paths, referrers and UTM tags, so every CSV the product writes passes through this rule."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same rule for CSV that ClickHouse writes itself: an RE2 pattern matching those first characters.
FORMULA_PATTERN = "^[=+\\-@\\t\\r]"


def neutral(cell: object) -> object:
    """The cell as it is, or a text cell starting like a formula with a `'` in front (numbers stay)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell
