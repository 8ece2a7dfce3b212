"""The raw exports as typed, valid rows (rows the contract calls invalid are dropped).

One function per export turns the selected deliveries' string rows into the columns the
indicator families need. Validation is deliberately simple (the generated data is clean): bad
personnummer, unparseable numbers and dates, unknown codes, duplicate ids (the later ones) and the
franvaro hour invariant drop the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tests.oracle.landing import EXPORTS, Delivery, select_deliveries
from tests.oracle.periods import month_of
from tests.oracle.pnr import parse_personnummer
from tests.oracle.reference import Reference

GENDER = {"K": "kvinnor", "M": "man"}


@dataclass(frozen=True)
class Landing:
    payments: pd.DataFrame  # hushall_id, stadsdel_kod, month, amount_1e4 (kronor × 10 000, exact),
    # lo_andamal
    members: pd.DataFrame  # hushall_id, month, person, birth_month_index, kon
    cases: pd.DataFrame  # arende_id, stadsdel_kod, opened, closed, reason
    plans: pd.DataFrame  # arende_id, drawn_up, revised
    measures: pd.DataFrame  # insats_id, person, kon, stadsdel_kod, insatstyp, start_date,
    # end_date, outcome
    population: pd.DataFrame  # ar, stadsdel_kod, kon, alder, antal
    budget: pd.DataFrame  # ar, stadsdel_kod, bistandstyp, month (-1 = the whole year), belopp_1e4
    absence: pd.DataFrame  # anstallning_id, enhet_kod, kon, month, scheduled, sick, sick_1_14
    staff_survey: pd.DataFrame  # respondent_id, year, enhet_kod, kon, fraga_kod, svar
    client_survey: pd.DataFrame  # svar_id, date, stadsdel_kod, verksamhet, kon, situation
    payment_months: frozenset[int]  # months with a utbetalningar delivery
    member_months: frozenset[int]  # months with a hushallsmedlemmar delivery
    absence_months: frozenset[int]
    case_extraction: pd.Timestamp | None  # date of the arenden snapshot used
    measure_extraction: pd.Timestamp | None
    staff_survey_years: frozenset[int]
    client_survey_years: frozenset[int]
    # catalogue v2 (services.py): the frames and their snapshots' extraction dates
    notices: pd.DataFrame  # underrattelse_id, person, kon, stadsdel_kod, received, closed, outcome,
    # children, support
    emergency_housing: pd.DataFrame  # beslut_id, person, kon, stadsdel_kod, boendetyp, children,
    # start_date
    fut_reports: pd.DataFrame  # anmalan_id, arende_id, stadsdel_kod, received, assessed, repaid
    feedback: pd.DataFrame  # synpunkt_id, stadsdel_kod, typ, lex_sarah, received, answered
    extractions: dict[str, pd.Timestamp | None]
    budget_years: frozenset[int]


def _concat(deliveries: list[Delivery], export: str) -> pd.DataFrame:
    """All selected deliveries' rows of one export (string columns, "" = empty)."""
    spec = EXPORTS[export]
    columns = [*spec.required, *spec.optional]
    frames = [d.rows[columns] for d in deliveries]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    return pd.concat(frames, ignore_index=True)


def _date(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def _decimal(values: pd.Series) -> pd.Series:
    """Decimal comma, no thousands separator ('1234,50'); anything else → NaN."""
    ok = values.str.fullmatch(r"-?\d+(,\d+)?")
    return pd.to_numeric(values.where(ok).str.replace(",", ".", regex=False), errors="coerce")


def _integer(values: pd.Series) -> pd.Series:
    ok = values.str.fullmatch(r"-?\d+")
    return pd.to_numeric(values.where(ok), errors="coerce").astype("Int64")


def _in(values: pd.Series, codes: frozenset[str], optional: bool = False) -> pd.Series:
    valid = values.isin(codes)
    return valid | (values == "") if optional else valid


def _present(values: pd.Series) -> pd.Series:
    return values != ""


def _first_of_id(frame: pd.DataFrame, id_column: str) -> pd.Series:
    return ~frame[id_column].duplicated(keep="first")


def _optional_date_ok(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    return (raw == "") | parsed.notna()


def payments(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "utbetalningar")
    amount = _decimal(rows["belopp"])
    valid = (
        _present(rows["utbetalning_id"])
        & _present(rows["arende_id"])
        & _present(rows["hushall_id"])
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & _date(rows["utbetalningsdatum"]).notna()
        & amount.notna()
        & _in(rows["bistandstyp"], ref.codes["bistandstyp"])
        & _in(rows["forsorjningshinder_kod"], ref.codes["forsorjningshinder"])
        & _in(rows["lo_andamal"], ref.codes["lo_andamal"], optional=True)
    )
    rows, amount = rows[valid], amount[valid]
    keep = _first_of_id(rows, "utbetalning_id")
    return pd.DataFrame(
        {
            "hushall_id": rows["hushall_id"].astype(str),
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "month": month_of(rows["bidragsmanad"]),
            "amount_1e4": (amount * 10_000).round().astype("int64"),
            "lo_andamal": rows["lo_andamal"].astype(str),
            "booked_month": month_of(rows["utbetalningsdatum"].str[:7]),
        }
    )[keep].reset_index(drop=True)


def members(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "hushallsmedlemmar")
    pnr = parse_personnummer(rows["personnummer"])
    valid = (
        _present(rows["hushall_id"])
        & pnr["person"].notna()
        & _in(rows["kon"], ref.codes["kon"])
        & _in(rows["roll"], ref.codes["roll"])
    )
    rows, pnr = rows[valid], pnr[valid]
    return pd.DataFrame(
        {
            "hushall_id": rows["hushall_id"].astype(str),
            "month": month_of(rows["bidragsmanad"]),
            "person": pnr["person"].astype("int64"),
            "birth_month_index": (pnr["birth_year"] * 12 + pnr["birth_month"] - 1).astype("int64"),
            "kon": rows["kon"].astype(str),
        }
    ).reset_index(drop=True)


def cases(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "arenden")
    opened, closed = _date(rows["aktualiserad_datum"]), _date(rows["avslutad_datum"])
    valid = (
        _present(rows["arende_id"])
        & _present(rows["hushall_id"])
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & opened.notna()
        & _optional_date_ok(rows["avslutad_datum"], closed)
        & _in(rows["avslutsorsak_kod"], ref.codes["avslutsorsak"], optional=True)
    )
    result = pd.DataFrame(
        {
            "arende_id": rows["arende_id"].astype(str),
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "opened": opened,
            "closed": closed,
            "reason": rows["avslutsorsak_kod"].astype(str),
        }
    )[valid]
    return result[_first_of_id(result, "arende_id")].reset_index(drop=True)


def plans(deliveries: list[Delivery]) -> pd.DataFrame:
    rows = _concat(deliveries, "forandringsplaner")
    drawn_up, revised = _date(rows["upprattad_datum"]), _date(rows["senast_reviderad_datum"])
    valid = (
        _present(rows["plan_id"])
        & _present(rows["arende_id"])
        & drawn_up.notna()
        & _optional_date_ok(rows["senast_reviderad_datum"], revised)
    )
    result = pd.DataFrame(
        {
            "plan_id": rows["plan_id"].astype(str),
            "arende_id": rows["arende_id"].astype(str),
            "drawn_up": drawn_up,
            "revised": revised,
        }
    )[valid]
    return result[_first_of_id(result, "plan_id")].reset_index(drop=True)


def measures(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "insatser")
    pnr = parse_personnummer(rows["personnummer"])
    start, end = _date(rows["startdatum"]), _date(rows["slutdatum"])
    valid = (
        _present(rows["insats_id"])
        & pnr["person"].notna()
        & _in(rows["kon"], ref.codes["kon"])
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & _in(rows["insatstyp"], ref.codes["insatstyp"])
        & start.notna()
        & _optional_date_ok(rows["slutdatum"], end)
        & _in(rows["utfall_kod"], ref.codes["insats_utfall"], optional=True)
    )
    result = pd.DataFrame(
        {
            "insats_id": rows["insats_id"].astype(str),
            "person": pnr["person"].astype("int64"),
            "kon": rows["kon"].astype(str),
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "insatstyp": rows["insatstyp"].astype(str),
            "start_date": start,
            "end_date": end,
            "outcome": rows["utfall_kod"].astype(str),
        }
    )[valid]
    return result[_first_of_id(result, "insats_id")].reset_index(drop=True)


def population(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "befolkning")
    year, age, count = _integer(rows["ar"]), _integer(rows["alder"]), _integer(rows["antal"])
    valid = (
        year.notna()
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & _in(rows["kon"], ref.codes["kon"])
        & age.between(0, 110).fillna(False)
        & (count >= 0).fillna(False)
    )
    return pd.DataFrame(
        {
            "ar": year,
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "kon": rows["kon"].astype(str),
            "alder": age,
            "antal": count,
        }
    )[valid].astype({"ar": "int64", "alder": "int64", "antal": "int64"})


def budget(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    """Rows of valid budget files: a file mixing rows with and without manad for a district and
    type is dropped whole (the loader refuses it)."""
    kept = []
    for d in deliveries:
        rows = d.rows
        has_month = rows["manad"] != ""
        mixed = has_month.groupby([rows["stadsdel_kod"], rows["bistandstyp"]]).nunique() > 1
        if not mixed.any():
            kept.append(d)
    rows = _concat(kept, "budget")
    amount = _decimal(rows["belopp"])
    year = _integer(rows["ar"])
    month = rows["manad"].where(rows["manad"].str.fullmatch(r"\d{4}-\d{2}"), "")
    valid = (
        year.notna()
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & _in(rows["bistandstyp"], ref.codes["bistandstyp"])
        & amount.notna()
        & ((month == "") | (month.str[:4] == rows["ar"]))
    )
    rows, amount, month = rows[valid], amount[valid], month[valid]
    month_index = pd.Series(-1, index=rows.index, dtype="int64")
    named = month != ""
    month_index[named] = month_of(month[named])
    return pd.DataFrame(
        {
            "ar": year[valid].astype("int64"),
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "bistandstyp": rows["bistandstyp"].astype(str),
            "month": month_index,
            "belopp_1e4": (amount * 10_000).round().astype("int64"),
        }
    ).reset_index(drop=True)


def absence(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "franvaro")
    scheduled = _decimal(rows["schemalagd_tid_timmar"])
    sick = _decimal(rows["sjukfranvaro_timmar"])
    sick_1_14 = _decimal(rows["sjukfranvaro_dag1_14_timmar"])
    invariant = (sick_1_14 >= 0) & (sick_1_14 <= sick) & (sick <= scheduled)
    valid = (
        _present(rows["anstallning_id"])
        & _in(rows["enhet_kod"], ref.codes["enhet"])
        & _in(rows["kon"], ref.codes["kon"])
        & invariant.fillna(False)
    )
    return pd.DataFrame(
        {
            "anstallning_id": rows["anstallning_id"].astype(str),
            "enhet_kod": rows["enhet_kod"].astype(str),
            "kon": rows["kon"].astype(str),
            "month": month_of(rows["manad"]),
            "scheduled": scheduled,
            "sick": sick,
            "sick_1_14": sick_1_14,
        }
    )[valid].reset_index(drop=True)


def staff_survey(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "medarbetarenkat")
    year, answer = _integer(rows["enkat_ar"]), _integer(rows["svar"])
    valid = (
        _present(rows["respondent_id"])
        & year.notna()
        & _in(rows["enhet_kod"], ref.codes["enhet"])
        & _in(rows["kon"], ref.codes["kon"], optional=True)
        & _in(rows["fraga_kod"], ref.codes["enkatfraga"])
        & answer.between(1, 5).fillna(False)
    )
    return pd.DataFrame(
        {
            "respondent_id": rows["respondent_id"].astype(str),
            "year": year,
            "enhet_kod": rows["enhet_kod"].astype(str),
            "kon": rows["kon"].astype(str),
            "fraga_kod": rows["fraga_kod"].astype(str),
            "svar": answer,
        }
    )[valid].astype({"year": "int64", "svar": "int64"})


def client_survey(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "brukarenkat")
    answered = _date(rows["datum"])
    valid = (
        _present(rows["svar_id"])
        & answered.notna()
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & _in(rows["verksamhet"], ref.codes["verksamhet"])
        & _in(rows["kon"], ref.codes["kon"], optional=True)
        & _in(rows["situation"], ref.codes["situation"])
    )
    result = pd.DataFrame(
        {
            "svar_id": rows["svar_id"].astype(str),
            "date": answered,
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "verksamhet": rows["verksamhet"].astype(str),
            "kon": rows["kon"].astype(str),
            "situation": rows["situation"].astype(str),
        }
    )[valid]
    return result[_first_of_id(result, "svar_id")].reset_index(drop=True)


def notices(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "vrakningsforebyggande")
    pnr = parse_personnummer(rows["personnummer"])
    received, closed = _date(rows["inkom_datum"]), _date(rows["avslutad_datum"])
    children = _integer(rows["barn_i_hushallet"])
    valid = (
        _present(rows["underrattelse_id"])
        & pnr["person"].notna()
        & _in(rows["kon"], ref.codes["kon"])
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & _in(rows["typ"], ref.codes["underrattelsetyp"])
        & received.notna()
        & _in(rows["orsak"], ref.codes["vrakning_orsak"])
        & (children >= 0).fillna(False)
        & _in(rows["stod_mottaget"], ref.codes["ja_nej"])
        & _optional_date_ok(rows["avslutad_datum"], closed)
        & _in(rows["utfall_kod"], ref.codes["vrakning_utfall"], optional=True)
        & ((rows["avslutad_datum"] == "") == (rows["utfall_kod"] == ""))
        & ~(closed < received)
    )
    result = pd.DataFrame(
        {
            "underrattelse_id": rows["underrattelse_id"].astype(str),
            "person": pnr["person"].astype("Int64"),
            "kon": rows["kon"].astype(str),
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "received": received,
            "closed": closed,
            "outcome": rows["utfall_kod"].astype(str),
            "children": children,
            "support": rows["stod_mottaget"] == "J",
        }
    )[valid]
    return result[_first_of_id(result, "underrattelse_id")].reset_index(drop=True)


def emergency_housing(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "akutboende")
    pnr = parse_personnummer(rows["personnummer"])
    start, end = _date(rows["startdatum"]), _date(rows["slutdatum"])
    children = _integer(rows["barn_i_hushallet"])
    cost = _decimal(rows["kostnad"])
    valid = (
        _present(rows["beslut_id"])
        & pnr["person"].notna()
        & _in(rows["kon"], ref.codes["kon"])
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & _in(rows["boendetyp"], ref.codes["boendetyp"])
        & (children >= 0).fillna(False)
        & start.notna()
        & _optional_date_ok(rows["slutdatum"], end)
        & ~(end < start)
        & ((rows["kostnad"] == "") | (cost >= 0).fillna(False))
    )
    result = pd.DataFrame(
        {
            "beslut_id": rows["beslut_id"].astype(str),
            "person": pnr["person"].astype("Int64"),
            "kon": rows["kon"].astype(str),
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "boendetyp": rows["boendetyp"].astype(str),
            "children": children,
            "start_date": start,
        }
    )[valid]
    return result[_first_of_id(result, "beslut_id")].reset_index(drop=True)


def fut_reports(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "fut_anmalningar")
    received = _date(rows["inkom_datum"])
    assessed, repaid = _date(rows["forhandsbedomning_datum"]), _date(rows["aterkrav_datum"])
    amount = _decimal(rows["aterkrav_belopp"])
    valid = (
        _present(rows["anmalan_id"])
        & _present(rows["arende_id"])
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & received.notna()
        & _optional_date_ok(rows["forhandsbedomning_datum"], assessed)
        & _in(rows["beslut"], ref.codes["fut_beslut"], optional=True)
        & _optional_date_ok(rows["aterkrav_datum"], repaid)
        & ((rows["aterkrav_belopp"] == "") | amount.notna())
        & _in(rows["polisanmald"], ref.codes["ja_nej"], optional=True)
        & ~(assessed < received)
        & ~(repaid < received)
    )
    result = pd.DataFrame(
        {
            "anmalan_id": rows["anmalan_id"].astype(str),
            "arende_id": rows["arende_id"].astype(str),
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "received": received,
            "assessed": assessed,
            "repaid": repaid,
        }
    )[valid]
    return result[_first_of_id(result, "anmalan_id")].reset_index(drop=True)


def feedback(deliveries: list[Delivery], ref: Reference) -> pd.DataFrame:
    rows = _concat(deliveries, "synpunkter")
    received, answered = _date(rows["inkom_datum"]), _date(rows["aterkoppling_datum"])
    valid = (
        _present(rows["synpunkt_id"])
        & received.notna()
        & _in(rows["stadsdel_kod"], ref.codes["stadsdel"])
        & _in(rows["verksamhet"], ref.codes["verksamhet"])
        & _in(rows["avsandare"], ref.codes["synpunkt_avsandare"])
        & _in(rows["typ"], ref.codes["synpunkt_typ"])
        & _in(rows["kategori"], ref.codes["synpunkt_kategori"])
        & _in(rows["lex_sarah"], ref.codes["ja_nej"])
        & _in(rows["atgard_vidtagen"], ref.codes["ja_nej"])
        & _optional_date_ok(rows["aterkoppling_datum"], answered)
        & ~(answered < received)
    )
    result = pd.DataFrame(
        {
            "synpunkt_id": rows["synpunkt_id"].astype(str),
            "stadsdel_kod": rows["stadsdel_kod"].astype(str),
            "typ": rows["typ"].astype(str),
            "lex_sarah": rows["lex_sarah"] == "J",
            "received": received,
            "answered": answered,
        }
    )[valid]
    return result[_first_of_id(result, "synpunkt_id")].reset_index(drop=True)


V2_EXPORTS = ("vrakningsforebyggande", "akutboende", "fut_anmalningar", "synpunkter")


def _months(deliveries: list[Delivery]) -> frozenset[int]:
    return frozenset(int(d.key[:4]) * 12 + int(d.key[5:7]) - 1 for d in deliveries)


def _years(deliveries: list[Delivery]) -> frozenset[int]:
    return frozenset(int(d.key) for d in deliveries)


def _extraction(deliveries: list[Delivery]) -> pd.Timestamp | None:
    return pd.Timestamp(deliveries[0].key) if deliveries else None


def load_landing(landing: Path, ref: Reference) -> Landing:
    chosen = select_deliveries(landing)
    return Landing(
        payments=payments(chosen["utbetalningar"], ref),
        members=members(chosen["hushallsmedlemmar"], ref),
        cases=cases(chosen["arenden"], ref),
        plans=plans(chosen["forandringsplaner"]),
        measures=measures(chosen["insatser"], ref),
        population=population(chosen["befolkning"], ref),
        budget=budget(chosen["budget"], ref),
        absence=absence(chosen["franvaro"], ref),
        staff_survey=staff_survey(chosen["medarbetarenkat"], ref),
        client_survey=client_survey(chosen["brukarenkat"], ref),
        payment_months=_months(chosen["utbetalningar"]),
        member_months=_months(chosen["hushallsmedlemmar"]),
        absence_months=_months(chosen["franvaro"]),
        case_extraction=_extraction(chosen["arenden"]),
        measure_extraction=_extraction(chosen["insatser"]),
        staff_survey_years=_years(chosen["medarbetarenkat"]),
        client_survey_years=_years(chosen["brukarenkat"]),
        notices=notices(chosen["vrakningsforebyggande"], ref),
        emergency_housing=emergency_housing(chosen["akutboende"], ref),
        fut_reports=fut_reports(chosen["fut_anmalningar"], ref),
        feedback=feedback(chosen["synpunkter"], ref),
        extractions={export: _extraction(chosen[export]) for export in V2_EXPORTS},
        budget_years=_years(chosen["budget"]),
    )
