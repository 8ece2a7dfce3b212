"""What the pages must show, computed independently from the warehouse.

The KPI numbers come from `marts.fct_indicator_value` (the unsuppressed fact, so a hidden cell is
known there), with publish.kpi's decision of which cells are hidden (fewer than 5, or hidden as a
complement so that they cannot be computed — issue 16, proven in tests/test_disclosure.py) and
its status (none where hidden); names and filters from the warehouse's `publish` schema.
Texts are formatted as the site formats them (`format_sv`): the tests compare exact strings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import duckdb

# The KPI fact with what publish.kpi hides and shows as status (see the module's docstring).
FACTS = """(
    select
        f.* replace (k.is_suppressed as is_suppressed, k.status as status),
        k.suppression_reason
    from marts.fct_indicator_value f
    join publish.kpi k using (indicator_code, area_level, area_code, year, period, gender)
)"""
NBSP = "\u00a0"
DOLD = f"–{NBSP}färre än 5"
# hidden as a complement (publish.kpi.suppression_reason 'komplementar'): so that another hidden
# value cannot be computed — the ILS table and Tabell mark it apart from "färre än 5"
KOMPLEMENT = f"–{NBSP}dold"

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
# The status badge: its class (components/ils.js) and background colour (IlsTabell.svelte).
STATUS_KLASS = {"uppfylls": "uppfylls", "uppfylls_delvis": "delvis", "uppfylls_ej": "ej"}
STATUS_BAKGRUND = {
    "uppfylls": "rgb(220, 252, 231)",
    "uppfylls_delvis": "rgb(254, 243, 199)",
    "uppfylls_ej": "rgb(254, 226, 226)",
}
ILS_COLUMNS = ("utfall", "man", "kvinnor", "fg_ar", "arsmal", "kf_arsmal")
ILS_HEADERS = [
    "Indikator",
    "Periodens utfall",
    "Män",
    "Kvinnor",
    "Utfall VB föregående år",
    "Årsmål",
    "KF:s årsmål",
    "Status",
]
MANAD_NAMN = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
# ECharts' month labels on a date axis (the SV locale of the component-utilities patch).
MANAD_KORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
# The Metod page's catalogue columns (pages/metod/index.md).
ENHET_METOD = {
    "andel": "andel (i procent)",
    "antal": "antal",
    "kr": "kronor",
    "index": "index 0–100",
}
RIKTNING_METOD = {"lagre_battre": "lägre är bättre", "hogre_battre": "högre är bättre"}
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


def cell(value, suppressed: bool, tag: str, reason: str | None = None) -> str:
    """A Tabell cell (components/Tabell.svelte): the number, "–" when suppressed ("– dold" when
    the table knows it is hidden as a complement), "" when there is none."""
    if suppressed:
        return KOMPLEMENT if reason == "komplementar" else "–"
    return "" if value is None else format_sv(value, tag)


def status_text(status: str | None) -> str:
    return STATUS_TEXT[status] if status else ""


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
    def hash(self) -> str:
        """The address fragment that opens a page on this view (components/urval.js)."""
        query = urlencode(
            {
                "ar": self.year,
                "period": self.period,
                "omrade": self.area_code,
                "omradenamn": self.area_name,
            }
        )
        return f"#{query}"

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
    tag: str, value, suppressed: bool, reason: str | None = None, missing: str = "saknas"
) -> tuple[str, float | None, bool]:
    """(text, number, suppressed) of an ILS cell."""
    if suppressed:
        return (KOMPLEMENT if reason == "komplementar" else DOLD), None, True
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

    # --- where the pages open (issue 20) ------------------------------------------------
    def last_delivered_month(self):
        """The last month with payments delivered: EB_UTBETALT's latest monthly row (payments
        come month by month; yearly survey and budget files do not deliver a month)."""
        year, month = self.one(
            "select year, max(period) from marts.fct_indicator_value "
            "where indicator_code = 'EB_UTBETALT' and period like 'M%' "
            "group by year order by year desc limit 1"
        )
        return date(year, int(month[1:]), 1)

    def first_period(self, indicator_code: str | None = None) -> tuple[int, str]:
        """The latest tertial whose last month (April, August, December) is delivered — of the
        indicator's tertials if given, else of all — or the latest at all while none is."""
        last = self.last_delivered_month()
        periods = self.rows(
            """
            select distinct k.year, k.period, p.sortering
            from publish.kpi k join publish.period p using (year, period)
            where k.period_type = 'tertial' and (? is null or k.indicator_code = ?)
            """,
            [indicator_code, indicator_code],
        )
        end = {"T1": 4, "T2": 8, "VB": 12}
        complete = [(y, s, p) for y, p, s in periods if (y, end[p]) <= (last.year, last.month)]
        y, _, p = max(complete or [(y, s, p) for y, p, s in periods])
        return y, p

    def first_year(self, years_sql: str, params: list | None = None) -> int:
        """A page that chooses only a year opens on the latest of its years not after the year
        of the first period, or on its latest year when all are after it."""
        years = [y for (y,) in self.rows(years_sql, params)]
        first = self.first_period()[0]
        return max([y for y in years if y <= first] or years)

    def default_view(self) -> View:
        """The Översikt page's first view: the latest complete tertial (first_period) and the
        first area in display order."""
        year, period = self.first_period()
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
            f"""
            select f.indicator_code, i.namn, i.enhet, coalesce(i.kon_uppdelad, false),
                f.gender, cast(f.value as double), f.is_suppressed, f.suppression_reason,
                cast(f.target as double), cast(f.target_kf as double), f.status
            from {FACTS} f
            join publish.indicator i on i.indicator_code = f.indicator_code
            where f.year = ? and f.period = ? and f.area_code = ? and i.kolada_kod is null
            order by i.sortering
            """,
            [view.year, view.period, view.area_code],
        )
        previous = {
            code: (value, suppressed, reason)
            for code, value, suppressed, reason in self.rows(
                f"""
                select indicator_code, cast(value as double), is_suppressed, suppression_reason
                from {FACTS}
                where year = ? and period = 'VB' and area_code = ? and gender = 'alla'
                """,
                [view.year - 1, view.area_code],
            )
        }
        by_code: dict[str, dict] = {}
        for (
            code,
            name,
            unit,
            split,
            gender,
            value,
            suppressed,
            reason,
            target,
            target_kf,
            status,
        ) in facts:
            entry = by_code.setdefault(
                code, {"name": name, "unit": unit, "split": split, "genders": {}}
            )
            entry["genders"][gender] = (value, suppressed, reason)
            if gender == "alla":
                entry.update(target=target, target_kf=target_kf, status=status)
        result = []
        for code, e in by_code.items():
            tag = fmt[code]
            cells: dict[str, str] = {}
            values: dict[str, float | None] = {}
            hidden: dict[str, bool] = {}

            alla = e["genders"].get("alla", (None, False, None))
            cells["utfall"], values["utfall"], hidden["utfall"] = _shown(tag, *alla)
            for col, gender in (("man", "man"), ("kvinnor", "kvinnor")):
                if e["split"]:
                    cells[col], values[col], hidden[col] = _shown(
                        tag, *e["genders"].get(gender, (None, False, None))
                    )
                else:
                    cells[col], values[col], hidden[col] = "ej uppdelad", None, False
            cells["fg_ar"], values["fg_ar"], hidden["fg_ar"] = _shown(
                tag, *previous.get(code, (None, False, None))
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
            f"""
            select f.year, f.period, f.area_code
            from {FACTS} f
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

    # --- the indicator page ---------------------------------------------------------------
    def indicator_page(self, code: str, view: View) -> dict:
        """What /indikator/<code>/ shows for a view: the tables (as [{row, col, text}]) and the
        texts its charts must carry."""
        fmt = self.fmt_tags()
        tag = fmt[code]
        definition, unit, split, direction, tolerance = self.one(
            """
            select definition, enhet, coalesce(kon_uppdelad, false), riktning, tolerans
            from publish.indicator where indicator_code = ?
            """,
            [code],
        )
        result: dict = {"definition": f"Definition. {definition}", "tables": {}, "charts": {}}
        # Jämförelse mellan stadsdelar: every area of the period, previous year as the ILS table.
        omraden = []
        areas = self.rows(
            f"""
            select a.area_name, f.area_level, cast(f.value as double), f.is_suppressed,
                f.status, cast(f.target as double), cast(p.value as double), p.is_suppressed,
                f.suppression_reason, p.suppression_reason
            from {FACTS} f
            join publish.area a on a.area_level = f.area_level and a.area_code = f.area_code
            left join {FACTS} p
                on p.indicator_code = f.indicator_code and p.area_code = f.area_code
                and p.gender = 'alla' and p.year = f.year - 1 and p.period = 'VB'
            where f.indicator_code = ? and f.year = ? and f.period = ? and f.gender = 'alla'
            order by a.sortering
            """,
            [code, view.year, view.period],
        )
        for name, _level, value, hidden, status, target, prev, prev_hidden, why, prev_why in areas:
            omraden += [
                {"row": name, "col": "utfall", "text": cell(value, hidden, tag, why)},
                {"row": name, "col": "fg_ar", "text": cell(prev, bool(prev_hidden), tag, prev_why)},
                {"row": name, "col": "arsmal", "text": cell(target, False, tag)},
                {"row": name, "col": "status", "text": "–" if hidden else status_text(status)},
            ]
        result["tables"]["omraden"] = omraden
        # Tidigare år for the view's area.
        tidigare = []
        for year, period, value, hidden, target, status, why in self.rows(
            f"""
            select f.year, f.period, cast(f.value as double), f.is_suppressed,
                cast(f.target as double), f.status, f.suppression_reason
            from {FACTS} f
            where f.indicator_code = ? and f.area_code = ? and f.gender = 'alla'
                and f.period in ('T1', 'T2', 'VB')
            """,
            [code, view.area_code],
        ):
            row = str(year)
            tidigare.append(
                {"row": row, "col": period.lower(), "text": cell(value, hidden, tag, why)}
            )
            if period == "VB":
                tidigare += [
                    {"row": row, "col": "arsmal", "text": cell(target, False, tag)},
                    {
                        "row": row,
                        "col": "status_vb",
                        "text": "–" if hidden else status_text(status),
                    },
                ]
        result["tables"]["tidigare_ar"] = tidigare
        # Kolada: the city's indicator and the Kolada-comparable one, VB per year.
        pair = self.one(
            """
            select eb.indicator_code, ko.indicator_code from publish.indicator ko
            join publish.indicator eb on eb.indicator_code = ko.jamfor_med
            where ko.kolada_kod is not null and ? in (ko.indicator_code, eb.indicator_code)
            """,
            [code],
        )
        if pair:
            eb, ko = pair
            kolada = []
            for c, year, value, hidden in self.rows(
                f"""
                select indicator_code, year, cast(value as double), is_suppressed
                from {FACTS}
                where indicator_code in (?, ?) and area_code = ? and gender = 'alla'
                    and period = 'VB'
                """,
                [eb, ko, view.area_code],
            ):
                col = "stadens" if c == eb else "kolada"
                kolada.append({"row": str(year), "col": col, "text": cell(value, hidden, fmt[c])})
            result["tables"]["kolada"] = kolada
            result["kolada_pair"] = (eb, ko)
        # Charts: the monthly trend with the target line, the gender split, the districts.
        has_target = self.one(
            """
            select count(*) > 0 from marts.fct_indicator_value
            where indicator_code = ? and area_code = ? and gender = 'alla'
                and period like 'M%' and target is not null
            """,
            [code, view.area_code],
        )
        # the target is a second series: both in the legend
        result["charts"]["trend"] = ["Utfall", "Årsmål"] if has_target else []
        result["charts"]["kon"] = ["Kvinnor", "Män"] if split else []
        districts = [
            name for name, level, value, *_ in areas if level == "stadsdel" and value is not None
        ]
        # the city as a reference line where it compares with a district (not for totals)
        comparable = unit in ("andel", "index") or code == "EB_BISTAND_PER_HUSHALL"
        city = [
            name
            for name, level, value, *_ in areas
            if level == "stad" and value is not None and comparable
        ]
        result["charts"]["omraden"] = districts + (["Hela staden"] if city else [])
        result["unit"] = unit
        result["regel"] = (
            f"högst {round(tolerance * 100)} % av målet" if direction else "färre än 5"
        )
        return result

    # --- the Metod page --------------------------------------------------------------------
    def catalogue(self) -> list[dict]:
        """The catalogue as the Metod page shows it, in its order (the city's own indicators,
        then the Kolada-comparable ones)."""
        rows = self.rows(
            """
            select indicator_code, namn, definition, enhet, riktning, tolerans, periodicitet,
                coalesce(kon_uppdelad, false), kolada_kod, jamfor_med
            from publish.indicator
            order by kolada_kod is not null, sortering
            """
        )
        result = []
        for code, name, definition, unit, direction, tol, periodicity, split, kolada, _ in rows:
            result.append(
                {
                    "code": code,
                    "name": name,
                    "definition": definition,
                    "kolada": kolada is not None,
                    "cells": {
                        "indicator_code": code,
                        "enhet_text": ENHET_METOD.get(unit, unit),
                        "riktning_text": RIKTNING_METOD.get(direction, "ingen riktning"),
                        "period_text": "år (VB)" if periodicity == "ar" else "tertial och månad",
                        "kon_text": "ja" if split else "nej",
                        "tolerans_text": f"{round(tol * 100)} %" if direction else "",
                        "kolada_kod": kolada or "",
                    },
                }
            )
        return result

    # --- Datakvalitet ----------------------------------------------------------------------
    def last_published(self, start: bool = False) -> str | None:
        """When the pages' data was published (or that run started), Swedish time, as the
        Datakvalitet page shows it."""
        at = self.one(
            f"""
            select {"started_at" if start else "published_at"} from meta.refresh_runs
            where published_at is not null order by published_at desc limit 1
            """
        )
        if at is None:
            return None
        local = at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Stockholm"))
        return local.strftime("%Y-%m-%d %H:%M")

    # --- Rapport -----------------------------------------------------------------------------
    def rapport(self) -> dict:
        """The Rapport page's first view (latest year, its latest tertial, first area in display
        order) from publish.rapport: per nämndmål table the cells the page shows (keyed by the
        indicator's name, as the Tabell reader keys rows), the judgement lines in page order,
        the number of Analys boxes and the Word document's file name."""
        year = self.one("select max(year) from publish.rapport")
        period = self.one(
            "select max(period) from publish.rapport where year = ?", [year]
        )  # T1 < T2 < VB
        area = self.one(
            """
            select area_code from publish.rapport where year = ? and period = ?
            order by area_sortering, area_code limit 1
            """,
            [year, period],
        )
        tags = self.fmt_tags()
        cur = self.con.execute(
            """
            select * from publish.rapport where year = ? and period = ? and area_code = ?
            order by namndmal_sortering, rad
            """,
            [year, period, area],
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        judged = {
            "uppfylls_helt": "● Uppfylls helt",
            "uppfylls_delvis": "◐ Uppfylls delvis",
            "uppfylls_ej": "○ Uppfylls ej",
        }
        not_judged = "bedöms inte (ingen indikator har utfall mot årsmål)"
        tables: dict[str, list[dict]] = {}
        lines: list[str] = []
        seen_goal, seen_kf, seen_nm = set(), set(), set()
        for r in rows:
            if r["inriktningsmal_nr"] not in seen_goal:
                seen_goal.add(r["inriktningsmal_nr"])
                lines.append(f"Bedömning: {judged.get(r['inriktningsmal_bedomning'], not_judged)}")
            if r["kf_mal_nr"] not in seen_kf:
                seen_kf.add(r["kf_mal_nr"])
                lines.append(f"Bedömning: {judged.get(r['kf_mal_bedomning'], not_judged)}")
            if r["namndmal_kod"] not in seen_nm:
                seen_nm.add(r["namndmal_kod"])
                line = f"Bedömning: {judged.get(r['namndmal_bedomning'], not_judged)}"
                if r["namndmal_antal_indikatorer"]:
                    line += (
                        f" ({r['namndmal_antal_bedomda']} av {r['namndmal_antal_indikatorer']} "
                        "indikatorer har utfall mot årsmål)"
                    )
                lines.append(line)
            if r["indicator_code"] is None:
                continue
            tag = tags[r["indicator_code"]]
            split = r["kon_uppdelad"]
            cells = {
                "utfall": cell(r["utfall"], r["utfall_dold"], tag, r["utfall_orsak"]),
                "man": cell(r["man"], r["man_dold"], tag, r["man_orsak"]) if split else "",
                "kvinnor": cell(r["kvinnor"], r["kvinnor_dold"], tag, r["kvinnor_orsak"])
                if split
                else "",
                "fg_ar": cell(r["fg_ar"], r["fg_ar_dold"], tag, r["fg_ar_orsak"]),
                "arsmal": cell(r["arsmal"], False, tag),
                "kf_arsmal": cell(r["kf_arsmal"], False, tag),
                "period": r["period_text"],
            }
            tables.setdefault(r["namndmal_kod"], []).extend(
                {"row": r["indicator_name"], "col": col, "text": text}
                for col, text in cells.items()
            )
        return {
            "view": View(year, period, area, rows[0]["area_name"]),
            "tables": tables,
            "rows": {k: len({e["row"] for e in v}) for k, v in tables.items()},
            "judgements": lines,
            "goals": len(seen_nm),
            "document": rows[0]["dokument_fil"],
        }
