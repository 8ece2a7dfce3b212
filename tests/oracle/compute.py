"""The oracle's entry point: every catalogue indicator from the raw CSV files, with pandas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tests.oracle import (
    assistance,
    budget,
    cases,
    client_survey,
    flows,
    measures,
    services,
    staff,
)
from tests.oracle.assemble import COLUMNS, finish, indicator_rows
from tests.oracle.computed import Computed
from tests.oracle.context import Context
from tests.oracle.exports import load_landing
from tests.oracle.reference import SEEDS_DIR, load_reference

INDICATORS: dict[str, Callable[[Context], Computed]] = {
    "EB_ANDEL_VUXNA": assistance.eb_andel_vuxna,
    "EB_ANDEL_LANGVARIGT": assistance.eb_andel_langvarigt,
    "EB_ANDEL_BARN": assistance.eb_andel_barn,
    "EB_HUSHALL": assistance.eb_hushall,
    "EB_BISTAND_PER_HUSHALL": assistance.eb_bistand_per_hushall,
    "EB_UTBETALT": assistance.eb_utbetalt,
    "EB_INFLODE_NYA": flows.eb_inflode_nya,
    "EB_INFLODE_ATERKOMMANDE": flows.eb_inflode_aterkommande,
    "EB_UTFLODE": flows.eb_utflode,
    "EB_TID_MED_BISTAND": flows.eb_tid_med_bistand,
    "EB_INFLODE_NYA_PERSONER": flows.eb_inflode_nya_personer,
    "EB_AVSLUT_EGEN": cases.eb_avslut_egen,
    "EB_AVSLUT_OKANT": cases.eb_avslut_okant,
    "EB_PLAN_3MAN": cases.eb_plan_3man,
    "EB_PLAN_AKTUELL": cases.eb_plan_aktuell,
    "IN_STHLMSJOBB": measures.in_sthlmsjobb,
    "IN_AR_TEAM": measures.in_ar_team,
    "IN_FORSOKSLAGENHET": measures.in_forsokslagenhet,
    "PE_SJUKFRANVARO": staff.pe_sjukfranvaro,
    "PE_SJUKFRANVARO_1_14": staff.pe_sjukfranvaro_1_14,
    "PE_AMI": staff.pe_ami,
    "PE_LEDARSKAP": staff.pe_ledarskap,
    "PE_STYRNING": staff.pe_styrning,
    "PE_MOTIVATION": staff.pe_motivation,
    "PE_REKOMMENDERA": staff.pe_rekommendera,
    "BR_FORBATTRAD": client_survey.br_forbattrad,
    "EK_BUDGET": budget.ek_budget,
    "EK_AVVIKELSE": budget.ek_avvikelse,
    "EK_PROGNOS": budget.ek_prognos,
    "EK_PROGNOS_AVVIKELSE": budget.ek_prognos_avvikelse,
    "KO_N31807": assistance.ko_n31807,
    "KO_N31816": assistance.ko_n31816,
    "KO_U31803": assistance.ko_u31803,
    "KO_N31910": assistance.ko_n31910,
    # catalogue v2
    "EB_HYRESSKULD_HUSHALL": services.eb_hyresskuld_hushall,
    "EB_HYRESSKULD_KR": services.eb_hyresskuld_kr,
    "IN_BOSTAD_FORST_12MAN": services.in_bostad_forst_12man,
    "BO_AVHYSNING_AVVARJD": services.bo_avhysning_avvarjd,
    "BO_STOD_VID_KONTAKT": services.bo_stod_vid_kontakt,
    "BO_VERKSTALLDA": services.bo_verkstallda,
    "BO_VRAKNING_BARN": services.bo_vrakning_barn,
    "BO_BARNFAMILJ_HOTELL": services.bo_barnfamilj_hotell,
    "FU_FORHANDSBEDOMD_3MAN": services.fu_forhandsbedomd_3man,
    "FU_ATERKRAV": services.fu_aterkrav,
    "SY_KLAGOMAL": services.sy_klagomal,
    "SY_ATERKOPPLING": services.sy_aterkoppling,
    "SY_LEX_SARAH": services.sy_lex_sarah,
}


def compute_indicators(landing: Path, seeds_dir: Path = SEEDS_DIR) -> pd.DataFrame:
    """All rows of marts.fct_indicator_value as the rulebook defines them, from `landing`."""
    ref = load_reference(seeds_dir)
    missing = set(ref.catalogue.index) - set(INDICATORS)
    if missing:
        raise ValueError(f"oracle has no implementation for {sorted(missing)}")
    ctx = Context(ref, load_landing(landing, ref))
    per_indicator = [
        indicator_rows(code, INDICATORS[code](ctx), ctx) for code in ref.catalogue.index
    ]
    if not per_indicator:
        return pd.DataFrame(columns=COLUMNS)
    return finish(pd.concat(per_indicator, ignore_index=True), ref)
