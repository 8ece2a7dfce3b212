"""Hand-written bad rows: each is rejected with its exact reason, and nothing else is lost.

Every case is a delivery of five data lines (lines 2–6) where some lines are bad. The test
asserts the exact reason per rejected line, that rows read = loaded + rejected, that exactly the
good lines are current in raw.<export>, and that another delivery of the same export (another key)
loaded intact beside it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from orchestration.settings import REFERENCE_DIR
from tests.loaders.support import FILE, OTHER_FILE, PNR, Env, delivery, key_of, make_pnr


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


# Luhn-valid, but 30 February does not exist.
BAD_DATE_PNR = "19850230" + "123" + luhn_digit("850230123")
BAD_CHECK_PNR = PNR[0][:-1] + str((int(PNR[0][-1]) + 1) % 10)


@dataclass(frozen=True)
class Case:
    id: str
    export: str
    rows: list = field(default_factory=list)  # five entries: None = good row
    rejects: dict[int, str] = field(default_factory=dict)  # line → exact reason


def bad(export: str, id: str, change: dict | str, reason: str) -> Case:
    """Line 3 is bad, the other four lines are good."""
    return Case(id, export, [None, change, None, None, None], {3: reason})


CASES = [
    # utbetalningar
    bad(
        "utbetalningar",
        "decimal-point",
        {"belopp": "12.50"},
        "decimalpunkt i belopp (ska vara decimalkomma): '12.50'",
    ),
    bad(
        "utbetalningar",
        "thousands-separator",
        {"belopp": "1 234,50"},
        "ogiltigt tal i belopp: '1 234,50'",
    ),
    bad(
        "utbetalningar", "plus-sign-number", {"belopp": "+12,50"}, "ogiltigt tal i belopp: '+12,50'"
    ),
    bad("utbetalningar", "missing-amount", {"belopp": "  "}, "saknar värde i belopp"),
    bad(
        "utbetalningar",
        "unknown-district",
        {"stadsdel_kod": "XXX"},
        "okänd kod 'XXX' i stadsdel_kod",
    ),
    bad("utbetalningar", "code-wrong-case", {"bistandstyp": "fs"}, "okänd kod 'fs' i bistandstyp"),
    bad(
        "utbetalningar",
        "one-digit-barrier-code",
        {"forsorjningshinder_kod": "1"},
        "okänd kod '1' i forsorjningshinder_kod",
    ),
    bad(
        "utbetalningar",
        "unknown-optional-code",
        {"lo_andamal": "SEMESTER"},
        "okänd kod 'SEMESTER' i lo_andamal",
    ),
    bad(
        "utbetalningar",
        "impossible-date",
        {"utbetalningsdatum": "2024-02-30"},
        "ogiltigt datum i utbetalningsdatum: '2024-02-30'",
    ),
    bad(
        "utbetalningar",
        "compact-date",
        {"utbetalningsdatum": "20240125"},
        "ogiltigt datum i utbetalningsdatum: '20240125'",
    ),
    bad(
        "utbetalningar",
        "malformed-month",
        {"bidragsmanad": "2024-1"},
        "ogiltig månad i bidragsmanad: '2024-1'",
    ),
    bad(
        "utbetalningar",
        "two-reasons",
        {"belopp": "x", "bistandstyp": "XX"},
        "ogiltigt tal i belopp: 'x'; okänd kod 'XX' i bistandstyp",
    ),
    bad(
        "utbetalningar",
        "too-few-fields",
        "U09;A09;H09;BRO;2024-01;2024-01-25;10,00;FS;01",
        "fel antal fält: 9, väntade 10",
    ),
    bad(
        "utbetalningar",
        "too-many-fields",
        "U09;A09;H09;BRO;2024-01;2024-01-25;10,00;FS;01;;extra",
        "fel antal fält: 11, väntade 10",
    ),
    bad(
        "utbetalningar",
        "text-after-closing-quote",
        'U09;A09;"H09"x;BRO;2024-01;2024-01-25;10,00;FS;01;',
        "felaktig citering: text efter ett avslutande citattecken",
    ),
    bad(
        "utbetalningar",
        "field-too-long",
        "U09;A09;H09;BRO;2024-01;2024-01-25;10,00;FS;01;" + "x" * 200_000,
        "ett fält är längre än 131072 tecken",
    ),
    Case(
        "conflicting-duplicate-id",
        "utbetalningar",
        [None, {"utbetalning_id": "U00001", "belopp": "5,00"}, None, None, None],
        {
            2: "dubblett med olika innehåll: samma utbetalning_id på 2 rader (första på rad 2)",
            3: "dubblett med olika innehåll: samma utbetalning_id på 2 rader (första på rad 2)",
        },
    ),
    Case(
        "identical-duplicate-row",
        "utbetalningar",
        [None, None, None, None, "U00001;A00001;H00001;BRO;2024-01;2024-01-25;1001,50;FS;01;"],
        {6: "dubblett av rad 2 (identisk rad)"},
    ),
    bad(
        "utbetalningar",
        "personnummer-in-id-column",
        {"hushall_id": PNR[3]},
        "värdet i hushall_id ser ut som ett personnummer och lagras inte",
    ),
    # hushallsmedlemmar: personnummer
    bad(
        "hushallsmedlemmar",
        "ten-digit-personnummer",
        {"personnummer": PNR[5][2:]},
        "personnummer med 10 siffror (århundrade okänt; ska vara ÅÅÅÅMMDD-NNNN)",
    ),
    bad(
        "hushallsmedlemmar",
        "ten-digit-with-plus",
        {"personnummer": PNR[5][2:8] + "+" + PNR[5][8:]},
        "personnummer med 10 siffror (århundrade okänt; ska vara ÅÅÅÅMMDD-NNNN)",
    ),
    bad(
        "hushallsmedlemmar",
        "twelve-digit-with-plus",
        {"personnummer": PNR[5][:8] + "+" + PNR[5][8:]},
        "personnummer med '+' (ska vara 12 siffror, ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN)",
    ),
    bad(
        "hushallsmedlemmar",
        "personnummer-with-space",
        {"personnummer": PNR[5][:8] + " " + PNR[5][8:]},
        "personnummer har fel format (ska vara ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN)",
    ),
    bad(
        "hushallsmedlemmar",
        "personnummer-check-digit",
        {"personnummer": BAD_CHECK_PNR},
        "ogiltigt personnummer (kontrollsiffra eller datum stämmer inte)",
    ),
    bad(
        "hushallsmedlemmar",
        "personnummer-impossible-date",
        {"personnummer": BAD_DATE_PNR},
        "ogiltigt personnummer (kontrollsiffra eller datum stämmer inte)",
    ),
    bad(
        "hushallsmedlemmar",
        "personnummer-missing",
        {"personnummer": ""},
        "saknar värde i personnummer",
    ),
    bad("hushallsmedlemmar", "unknown-gender", {"kon": "X"}, "okänd kod 'X' i kon"),
    bad("hushallsmedlemmar", "unknown-role", {"roll": "barn"}, "okänd kod 'barn' i roll"),
    Case(
        "same-person-twice-in-household",
        "hushallsmedlemmar",
        [
            None,
            {"hushall_id": "H00001", "personnummer": PNR[1][:8] + "-" + PNR[1][8:], "roll": "BARN"},
            None,
            None,
            None,
        ],
        {
            2: "dubblett med olika innehåll: samma hushall_id, personnummer på 2 rader "
            "(första på rad 2)",
            3: "dubblett med olika innehåll: samma hushall_id, personnummer på 2 rader "
            "(första på rad 2)",
        },
    ),
    # arenden, forandringsplaner, insatser
    bad(
        "arenden",
        "closed-without-reason",
        {"avslutad_datum": "2024-03-01"},
        "avslutad_datum och avslutsorsak_kod ska anges tillsammans",
    ),
    bad(
        "arenden",
        "closed-before-opened",
        {"avslutad_datum": "2023-01-01", "avslutsorsak_kod": "ARBETE"},
        "avslutad_datum före aktualiserad_datum",
    ),
    bad(
        "arenden",
        "unknown-closing-reason",
        {"avslutad_datum": "2024-03-01", "avslutsorsak_kod": "GIFT"},
        "okänd kod 'GIFT' i avslutsorsak_kod",
    ),
    bad(
        "forandringsplaner",
        "revised-before-drawn-up",
        {"senast_reviderad_datum": "2023-01-01"},
        "senast_reviderad_datum före upprattad_datum",
    ),
    bad("forandringsplaner", "missing-case", {"arende_id": ""}, "saknar värde i arende_id"),
    bad(
        "insatser",
        "outcome-without-end",
        {"utfall_kod": "AVBROTT"},
        "slutdatum och utfall_kod ska anges tillsammans",
    ),
    bad("insatser", "unknown-measure", {"insatstyp": "KURS"}, "okänd kod 'KURS' i insatstyp"),
    bad(
        "insatser",
        "ended-before-start",
        {"slutdatum": "2022-01-01", "utfall_kod": "AVBROTT"},
        "slutdatum före startdatum",
    ),
    # befolkning
    bad("befolkning", "age-above-110", {"alder": "111"}, "alder över tillåtet maximum 110: '111'"),
    bad("befolkning", "negative-count", {"antal": "-1"}, "antal under tillåtet minimum 0: '-1'"),
    bad("befolkning", "decimal-age", {"alder": "30,5"}, "ogiltigt heltal i alder: '30,5'"),
    # personal, franvaro
    bad(
        "personal",
        "employment-rate-above-100",
        {"sysselsattningsgrad": "120"},
        "sysselsattningsgrad över tillåtet maximum 100: '120'",
    ),
    bad("personal", "unknown-unit", {"enhet_kod": "EB-XYZ"}, "okänd kod 'EB-XYZ' i enhet_kod"),
    bad(
        "personal",
        "employment-ended-before-start",
        {"slutdatum": "2019-12-31"},
        "slutdatum före anstallningsdatum",
    ),
    bad(
        "franvaro",
        "negative-hours",
        {"sjukfranvaro_timmar": "-1,5"},
        "sjukfranvaro_timmar under tillåtet minimum 0: '-1,5'; "
        "sjukfranvaro_dag1_14_timmar större än sjukfranvaro_timmar",
    ),
    bad(
        "franvaro",
        "day-1-14-above-sick",
        {"sjukfranvaro_dag1_14_timmar": "9,00"},
        "sjukfranvaro_dag1_14_timmar större än sjukfranvaro_timmar",
    ),
    bad(
        "franvaro",
        "sick-above-scheduled",
        {"sjukfranvaro_timmar": "170,00", "sjukfranvaro_dag1_14_timmar": "0"},
        "sjukfranvaro_timmar större än schemalagd_tid_timmar",
    ),
    bad(
        "franvaro",
        "missing-employee-number",
        {"anstallning_id": ""},
        "saknar värde i anstallning_id",
    ),
    # surveys
    bad("medarbetarenkat", "answer-above-5", {"svar": "6"}, "svar över tillåtet maximum 5: '6'"),
    bad(
        "medarbetarenkat", "unknown-question", {"fraga_kod": "MOT4"}, "okänd kod 'MOT4' i fraga_kod"
    ),
    bad(
        "brukarenkat",
        "date-in-another-year",
        {"datum": "2024-12-31"},
        "datum 2024-12-31 ligger inte i filens år 2025",
    ),
    bad(
        "brukarenkat",
        "unknown-situation",
        {"situation": "BATTRE"},
        "okänd kod 'BATTRE' i situation",
    ),
    # catalogue v2: vrakningsforebyggande, akutboende, fut_anmalningar, synpunkter
    bad(
        "vrakningsforebyggande",
        "notice-closed-without-outcome",
        {"avslutad_datum": "2024-05-01"},
        "avslutad_datum och utfall_kod ska anges tillsammans",
    ),
    bad(
        "vrakningsforebyggande",
        "notice-closed-before-received",
        {"avslutad_datum": "2024-02-01", "utfall_kod": "AVVARJD"},
        "avslutad_datum före inkom_datum",
    ),
    bad(
        "vrakningsforebyggande",
        "notice-bad-personnummer",
        {"personnummer": BAD_CHECK_PNR},
        "ogiltigt personnummer (kontrollsiffra eller datum stämmer inte)",
    ),
    bad(
        "vrakningsforebyggande",
        "notice-negative-children",
        {"barn_i_hushallet": "-1"},
        "barn_i_hushallet under tillåtet minimum 0: '-1'",
    ),
    bad(
        "vrakningsforebyggande",
        "notice-support-flag",
        {"stod_mottaget": "JA"},
        "okänd kod 'JA' i stod_mottaget",
    ),
    bad(
        "akutboende",
        "emergency-housing-ended-before-start",
        {"slutdatum": "2024-01-01"},
        "slutdatum före startdatum",
    ),
    bad(
        "akutboende",
        "emergency-housing-unknown-kind",
        {"boendetyp": "TALT"},
        "okänd kod 'TALT' i boendetyp",
    ),
    bad(
        "fut_anmalningar",
        "fut-assessed-before-received",
        {"forhandsbedomning_datum": "2024-02-28"},
        "forhandsbedomning_datum före inkom_datum",
    ),
    bad(
        "fut_anmalningar",
        "fut-amount-decimal-point",
        {"aterkrav_datum": "2024-06-01", "aterkrav_belopp": "1200.50"},
        "decimalpunkt i aterkrav_belopp (ska vara decimalkomma): '1200.50'",
    ),
    bad(
        "synpunkter",
        "complaint-feedback-before-received",
        {"aterkoppling_datum": "2024-02-01"},
        "aterkoppling_datum före inkom_datum",
    ),
    bad(
        "synpunkter",
        "complaint-unknown-sender",
        {"avsandare": "GRANNE"},
        "okänd kod 'GRANNE' i avsandare",
    ),
]


def test_there_are_at_least_thirty_distinct_cases() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_rows_are_rejected_with_their_reason_and_nothing_else_is_lost(
    env: Env, case: Case
) -> None:
    name, other = FILE[case.export], OTHER_FILE[case.export]
    env.write(other, delivery(case.export, [None, None], file_name=other))
    env.write(name, delivery(case.export, case.rows, file_name=name))

    env.load(case.export)

    log = env.log(name)
    assert log.status == "loaded", log.message
    assert (log.rows_read, log.rows_loaded, log.rows_rejected) == (
        5,
        5 - len(case.rejects),
        len(case.rejects),
    )
    assert env.rejects(name) == sorted(case.rejects.items())
    good = [line for line in range(2, 7) if line not in case.rejects]
    assert env.current_lines(case.export, key_of(name)) == good
    companion = env.log(other)
    assert (companion.status, companion.rows_loaded, companion.rows_rejected) == ("loaded", 2, 0)
    assert env.con.execute(
        f"select count(*) from raw.{case.export}_history where _delivery_id = ?",
        [companion.delivery_id],
    ).fetchone() == (2,)


def test_a_samordningsnummer_is_valid_and_keeps_its_real_birth_month(env: Env) -> None:
    coordination = make_pnr("19850769")  # born 9 July 1985
    env.write(
        FILE["hushallsmedlemmar"], delivery("hushallsmedlemmar", [{"personnummer": coordination}])
    )
    env.load("hushallsmedlemmar")
    ((birth, is_coordination),) = env.current(
        "hushallsmedlemmar", "person_birth_month::varchar, person_is_coordination_number"
    )
    assert (birth, is_coordination) == ("1985-07-01", True)


def test_a_personnummer_with_and_without_dash_gives_the_same_pseudonym(env: Env) -> None:
    dashed = PNR[4][:8] + "-" + PNR[4][8:]
    env.write(
        FILE["hushallsmedlemmar"],
        delivery("hushallsmedlemmar", [{"personnummer": PNR[4]}, {"personnummer": dashed}]),
    )
    env.load("hushallsmedlemmar")
    pseudonyms = [r[0] for r in env.current("hushallsmedlemmar", "person_pseudonym")]
    assert len(pseudonyms) == 2 and pseudonyms[0] == pseudonyms[1]
    assert pseudonyms[0].isalpha() and len(pseudonyms[0]) == 32


def test_more_than_four_decimals_are_rounded_with_a_warning_not_rejected(env: Env) -> None:
    env.write(
        FILE["franvaro"],
        delivery(
            "franvaro",
            [
                {
                    "schemalagd_tid_timmar": "7,333333",
                    "sjukfranvaro_timmar": "0",
                    "sjukfranvaro_dag1_14_timmar": "0",
                },
                {"schemalagd_tid_timmar": "160,00005"},
                None,
            ],
        ),
    )
    env.load("franvaro")
    log = env.log(FILE["franvaro"])
    assert (log.rows_loaded, log.rows_rejected) == (3, 0)
    assert log.warnings == (
        "2 värde(n) i schemalagd_tid_timmar hade fler än 4 decimaler och avrundades till 4"
    )
    values = [str(r[0]) for r in env.current("franvaro", "schemalagd_tid_timmar")]
    assert values == ["7.3333", "160.0001", "160.0000"]


def test_a_code_outside_its_validity_is_rejected_for_rows_in_that_period(
    env: Env, tmp_path: Path
) -> None:
    """Seeds carry giltig_from/giltig_tom; the row's period (here its bidragsmånad) must overlap."""
    seeds = tmp_path / "seeds"
    shutil.copytree(REFERENCE_DIR, seeds)
    districts = seeds / "ref_districts.csv"
    text = districts.read_text(encoding="utf-8")
    districts.write_text(
        text.replace(
            "BRO,Bromma,stadsdel,EB-BRO,2007-01-01,",
            "BRO,Bromma,stadsdel,EB-BRO,2007-01-01,2023-12-31",
        ).replace(
            "SKA,Skarpnäck,stadsdel,EB-SKA,2007-01-01,", "SKA,Skarpnäck,stadsdel,EB-SKA,2024-02-01,"
        ),
        encoding="utf-8",
    )
    env.write(
        FILE["utbetalningar"],
        delivery("utbetalningar", [{"stadsdel_kod": "HAL"}, None, {"stadsdel_kod": "SKA"}]),
    )
    env.write(
        "utbetalningar_2023-12.csv",
        delivery("utbetalningar", [None], file_name="utbetalningar_2023-12.csv"),
    )
    env.load("utbetalningar", reference_dir=seeds)
    assert env.rejects(FILE["utbetalningar"]) == [
        (
            3,
            "kod 'BRO' i stadsdel_kod gäller inte under radens period 2024-01-01–2024-01-31 "
            "(giltig 2007-01-01–2023-12-31)",
        ),
        (
            4,
            "kod 'SKA' i stadsdel_kod gäller inte under radens period 2024-01-01–2024-01-31 "
            "(giltig 2024-02-01–)",
        ),
    ]
    assert env.log("utbetalningar_2023-12.csv").rows_rejected == 0  # BRO was valid in 2023
