"""What the pages must show, computed independently from the warehouse.

The KPI numbers come from `marts.fct_indicator_value` (the unsuppressed fact, so a suppressed
cell is known to be suppressed there), names and filters from the warehouse's `publish` schema.
Texts are formatted as the site formats them (`format_sv`): the tests compare exact strings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb

NBSP = "\u00a0"
DOLD = f"–{NBSP}färre än 5"

# Evidence format tags (.evidence/customization/custom-formatting.json, components/format.js):
# tag -> (decimals, percent, suffix).
FORMATS = {
    "tal0": (0, False, ""),
    "tal1": (1, False, ""),
    "andel1": (1, True, ""),
    "andel2": (2, True, ""),
    "kr": (0, False, " kr"),
}

PERIOD_NAMN = {
    "T1": "T1 (januari–april)",
    "T2": "T2 (januari–augusti)",
    "VB": "VB (januari–december)",
}
STATUS_TEXT = {
    "uppfylls": "● Uppfylls",
    "uppfylls_delvis": "◐ Uppfylls delvis",
    "uppfylls_ej": "○ Uppfylls ej",
}
STATUS_WORD = {
    "uppfylls": "Uppfylls",
    "uppfylls_delvis": "Uppfylls delvis",
    "uppfylls_ej": "Uppfylls ej",
}
ILS_COLUMNS = ("utfall", "man", "kvinnor", "fg_ar", "arsmal", "kf_arsmal")
EXPORT_HEADER = [
    "Indikator",
    "Periodens utfall",
    "Män",
    "Kvinnor",
    "Utfall VB föregående år",
    "Årsmål",
    "KF:s årsmål",
    "Status",
    "Enhet",
    "Period",
    "Område",
    "Kod",
    "Anmärkning",
]
UNIT_TEXT = {"andel": "%", "kr": "kr", "antal": "antal", "index": "index"}


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)


def format_sv(value: float, tag: str) -> str:
    """Formats like the site: ssf 0.11.2's rounding, then Swedish separators (U+00A0, comma)."""
    decimals, percent, suffix = FORMATS[tag]
    a = abs(value) * 100 if percent else abs(value)
    if decimals and not percent:
        # ssf's "#,##0.0" rounds the fraction on its own and carries into the integer part.
        frac = _js_round((a - math.floor(a)) * 10**decimals)
        carry = len(str(frac)) > decimals
        whole, frac = math.floor(a) + carry, 0 if carry else frac
    else:
        whole, frac = divmod(_js_round(a * 10**decimals), 10**decimals)
    text = str(whole) if percent else f"{whole:,}".replace(",", NBSP)
    if decimals:
        text += "," + str(frac).zfill(decimals)
    if percent:
        text += NBSP + "%"
    return ("-" if value < 0 else "") + text + suffix


def excel_number(text: str) -> str:
    """The CSV form of a shown number: no unit, no thousands separator."""
    for unit in (" kr", NBSP + "%"):
        text = text.removesuffix(unit)
    return text.replace(NBSP, "")


@dataclass(frozen=True)
class View:
    year: int
    period: str
    area_code: str
    area_name: str

    @property
    def period_label(self) -> str:
        return PERIOD_NAMN[self.period]

    @property
    def file_stem(self) -> str:
        return f"ILS_{self.year}_{self.period}_{self.area_name.replace(' ', '_')}"


@dataclass(frozen=True)
class IlsRow:
    code: str
    name: str
    unit: str
    fmt: str
    cells: dict[str, str]  # column -> the text the page shows
    values: dict[str, float | None]  # column -> the number (None when not shown)
    suppressed: dict[str, bool]
    status: str | None


def _shown(
    tag: str, value, suppressed: bool, missing: str = "saknas"
) -> tuple[str, float | None, bool]:
    """(text, number, suppressed) of an ILS cell."""
    if suppressed:
        return DOLD, None, True
    if value is None:
        return missing, None, False
    return format_sv(value, tag), value, False


class Warehouse:
    """Read-only questions to the refreshed warehouse."""

    def __init__(self, path: Path) -> None:
        self.con = duckdb.connect(str(path), read_only=True)

    def close(self) -> None:
        self.con.close()

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list | None = None):
        row = self.con.execute(sql, params or []).fetchone()
        return None if row is None else row[0] if len(row) == 1 else row

    # --- formats and filters -------------------------------------------------------------
    def fmt_tags(self) -> dict[str, str]:
        """As evidence/queries/indikator_format.sql."""
        return dict(
            self.rows(
                """
                select i.indicator_code,
                    case i.enhet
                        when 'andel' then 'andel2' when 'kr' then 'kr' when 'index' then 'tal1'
                        when 'antal' then case when coalesce(bool_and(k.value = round(k.value)),
                            true) then 'tal0' else 'tal1' end
                        else 'tal1' end
                from publish.indicator i
                left join publish.kpi k on k.indicator_code = i.indicator_code
                group by i.indicator_code, i.enhet
                """
            )
        )

    def area_name(self, area_code: str) -> str:
        return self.one("select area_name from publish.area where area_code = ?", [area_code])

    def default_view(self) -> View:
        """The Översikt page's first view: latest year and period with tertial indicators, and
        the first area in display order."""
        year = self.one(
            """
            select max(k.year) from publish.kpi k
            join publish.indicator i using (indicator_code)
            where i.periodicitet = 'tertial' and k.period_type = 'tertial'
            """
        )
        period = self.tertial_periods(year)[-1]
        area = self.one(
            """
            select area_code from publish.area
            where area_code in (select area_code from publish.kpi)
            order by sortering limit 1
            """
        )
        return View(year, period, area, self.area_name(area))

    def tertial_periods(self, year: int) -> list[str]:
        return [
            period
            for period, _ in self.rows(
                """
                select distinct k.period, p.sortering from publish.kpi k
                join publish.indicator i using (indicator_code)
                join publish.period p on p.year = k.year and p.period = k.period
                where i.periodicitet = 'tertial' and k.period_type = 'tertial' and k.year = ?
                order by p.sortering
                """,
                [year],
            )
        ]

    def first_district(self) -> str:
        return self.one(
            """
            select area_code from publish.area
            where area_level = 'stadsdel' and area_code in (select area_code from publish.kpi)
            order by sortering limit 1
            """
        )

    # --- the ILS table --------------------------------------------------------------------
    def ils(self, view: View) -> list[IlsRow]:
        fmt = self.fmt_tags()
        facts = self.rows(
            """
            select f.indicator_code, i.namn, i.enhet, coalesce(i.kon_uppdelad, false),
                f.gender, f.value, f.is_suppressed, f.target, f.target_kf, f.status
            from marts.fct_indicator_value f
            join publish.indicator i on i.indicator_code = f.indicator_code
            where f.year = ? and f.period = ? and f.area_code = ? and i.kolada_kod is null
            order by i.sortering
            """,
            [view.year, view.period, view.area_code],
        )
        previous = {
            code: (value, suppressed)
            for code, value, suppressed in self.rows(
                """
                select indicator_code, value, is_suppressed from marts.fct_indicator_value
                where year = ? and period = 'VB' and area_code = ? and gender = 'alla'
                """,
                [view.year - 1, view.area_code],
            )
        }
        by_code: dict[str, dict] = {}
        for code, name, unit, split, gender, value, suppressed, target, target_kf, status in facts:
            entry = by_code.setdefault(
                code, {"name": name, "unit": unit, "split": split, "genders": {}}
            )
            entry["genders"][gender] = (value, suppressed)
            if gender == "alla":
                entry.update(target=target, target_kf=target_kf, status=status)
        result = []
        for code, e in by_code.items():
            tag = fmt[code]
            cells: dict[str, str] = {}
            values: dict[str, float | None] = {}
            hidden: dict[str, bool] = {}

            alla = e["genders"].get("alla", (None, False))
            cells["utfall"], values["utfall"], hidden["utfall"] = _shown(tag, *alla)
            for col, gender in (("man", "man"), ("kvinnor", "kvinnor")):
                if e["split"]:
                    cells[col], values[col], hidden[col] = _shown(
                        tag, *e["genders"].get(gender, (None, False))
                    )
                else:
                    cells[col], values[col], hidden[col] = "ej uppdelad", None, False
            cells["fg_ar"], values["fg_ar"], hidden["fg_ar"] = _shown(
                tag, *previous.get(code, (None, False))
            )
            cells["arsmal"], values["arsmal"], hidden["arsmal"] = _shown(
                tag, e.get("target"), False, missing=""
            )
            cells["kf_arsmal"], values["kf_arsmal"], hidden["kf_arsmal"] = _shown(
                tag, e.get("target_kf"), False, missing=""
            )
            status = None if alla[1] else e.get("status")
            if alla[1]:
                cells["status"] = "–"
            elif status:
                cells["status"] = STATUS_TEXT[status]
            elif alla[0] is None:
                cells["status"] = "Inget utfall"
            elif e.get("target") is None:
                cells["status"] = "Inget årsmål"
            else:
                cells["status"] = "Bedöms inte"
            result.append(IlsRow(code, e["name"], e["unit"], tag, cells, values, hidden, status))
        return result

    def suppressed_view(self) -> View | None:
        """A tertial view whose ILS table has a suppressed 'Periodens utfall' (alla) cell."""
        row = self.one(
            """
            select f.year, f.period, f.area_code
            from marts.fct_indicator_value f
            join publish.indicator i on i.indicator_code = f.indicator_code
            join publish.area a on a.area_code = f.area_code
            where f.is_suppressed and f.gender = 'alla' and f.period in ('T1', 'T2', 'VB')
                and i.kolada_kod is null and i.periodicitet = 'tertial'
            order by f.year desc, f.period desc, a.sortering
            limit 1
            """
        )
        if row is None:
            return None
        year, period, area = row
        return View(year, period, area, self.area_name(area))
