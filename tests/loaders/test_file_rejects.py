"""Files refused whole: an exact message naming file, problem and expected columns; the rest of
the delivery loads, and the slice the file would have replaced stays as it was."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.loaders.support import FILE, Env, delivery

EXPECTED_PAYMENTS = (
    "Förväntade kolumner: utbetalning_id;arende_id;hushall_id;stadsdel_kod;bidragsmanad;"
    "utbetalningsdatum;belopp;bistandstyp;forsorjningshinder_kod;lo_andamal (valfria: lo_andamal)"
)
GOOD = delivery("utbetalningar", [None, None])
HEADER = GOOD.splitlines()[0]


@dataclass(frozen=True)
class FileCase:
    id: str
    name: str
    content: bytes
    message: str


def text(s: str) -> bytes:
    return s.encode("utf-8")


UNDEFINED_BYTE = text(HEADER + "\n") + b"U1;A1;H1;BRO;2024-03;2024-03-25;1,00;FS;01;\x81\n"


FILE_CASES = [
    FileCase(
        "required-column-missing",
        "utbetalningar_2024-03.csv",
        text(HEADER.replace(";belopp", "") + "\nU1;A1;H1;BRO;2024-03;2024-03-25;FS;01;\n"),
        "utbetalningar_2024-03.csv: saknar kolumn(er) belopp. " + EXPECTED_PAYMENTS,
    ),
    FileCase(
        "required-column-with-empty-header",
        "utbetalningar_2024-03.csv",
        text(HEADER.replace("belopp", "") + "\nU1;A1;H1;BRO;2024-03;2024-03-25;1,00;FS;01;\n"),
        "utbetalningar_2024-03.csv: saknar kolumn(er) belopp. " + EXPECTED_PAYMENTS,
    ),
    FileCase(
        "comma-delimited",
        "utbetalningar_2024-03.csv",
        text(HEADER.replace(";", ",") + "\nU1,A1,H1,BRO,2024-03,2024-03-25,1,FS,01,\n"),
        "utbetalningar_2024-03.csv: fel avgränsare: rubrikraden har en enda kolumn; filen ska "
        "vara semikolonseparerad. " + EXPECTED_PAYMENTS,
    ),
    FileCase(
        "column-named-twice",
        "utbetalningar_2024-03.csv",
        text(HEADER + ";BELOPP\n"),
        "utbetalningar_2024-03.csv: kolumn(er) förekommer flera gånger i rubrikraden: belopp. "
        + EXPECTED_PAYMENTS,
    ),
    FileCase(
        "month-that-does-not-exist",
        "utbetalningar_2024-13.csv",
        text(GOOD),
        "utbetalningar_2024-13.csv: filnamnets nyckel '2024-13' är inget giltigt datum "
        "(väntade utbetalningar_ÅÅÅÅ-MM.csv)",
    ),
    FileCase(
        "key-not-a-month",
        "utbetalningar_januari.csv",
        text(GOOD),
        "utbetalningar_januari.csv: filnamnets nyckel kan inte tolkas "
        "(väntade utbetalningar_ÅÅÅÅ-MM.csv)",
    ),
    FileCase(
        "no-key-at-all",
        "Utbetalningar.csv",
        text(GOOD),
        "Utbetalningar.csv: filnamnets nyckel kan inte tolkas (väntade utbetalningar_ÅÅÅÅ-MM.csv)",
    ),
    FileCase(
        "not-a-csv-name",
        "utbetalningar_2024-03.xlsx",
        text(GOOD),
        "utbetalningar_2024-03.xlsx: filnamnets nyckel kan inte tolkas "
        "(väntade utbetalningar_ÅÅÅÅ-MM.csv)",
    ),
    FileCase(
        "rows-of-another-month",
        "utbetalningar_2024-03.csv",
        text(
            delivery(
                "utbetalningar",
                [None, {"bidragsmanad": "2024-04"}, None, {"bidragsmanad": "2024-02"}],
                file_name="utbetalningar_2024-03.csv",
            )
        ),
        "utbetalningar_2024-03.csv: 2 rad(er) har bidragsmanad för en annan period än "
        "filnamnets nyckel 2024-03 (första: rad 3, bidragsmanad '2024-04'); hela filen avvisas",
    ),
    FileCase(
        "empty-file",
        "utbetalningar_2024-03.csv",
        b"",
        "utbetalningar_2024-03.csv: filen är tom (ingen rubrikrad)",
    ),
    FileCase(
        "only-blank-lines",
        "utbetalningar_2024-03.csv",
        b"\r\n\r\n  \r\n",
        "utbetalningar_2024-03.csv: filen är tom (ingen rubrikrad)",
    ),
    FileCase(
        "utf-16",
        "utbetalningar_2024-03.csv",
        GOOD.encode("utf-16"),
        "utbetalningar_2024-03.csv: filen innehåller NUL-tecken (troligen UTF-16 eller en "
        "binärfil); den ska vara text i UTF-8 eller Windows-1252",
    ),
    FileCase(
        "neither-utf8-nor-cp1252",
        "utbetalningar_2024-03.csv",
        UNDEFINED_BYTE,
        "utbetalningar_2024-03.csv: filen går inte att läsa som UTF-8 eller Windows-1252 "
        f"(byte {UNDEFINED_BYTE.index(0x81)} är 0x81)",
    ),
    FileCase(
        "quote-never-closed",
        "utbetalningar_2024-03.csv",
        text(
            delivery("utbetalningar", [None], file_name="utbetalningar_2024-03.csv")
            + 'U2;A2;"H2;BRO;2024-03;2024-03-25;1,00;FS;01;\n'
            + "U3;A3;H3;BRO;2024-03;2024-03-25;1,00;FS;01;\n"
        ),
        "utbetalningar_2024-03.csv: citattecken som inte avslutas från rad 3; resten av filen "
        "kan inte läsas",
    ),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_a_bad_file_is_refused_whole_and_the_rest_of_the_delivery_loads(
    env: Env, case: FileCase
) -> None:
    env.write(FILE["utbetalningar"], GOOD)  # another month, good
    env.write(case.name, case.content)

    outcome = env.load("utbetalningar")

    log = env.log(case.name)
    assert (log.status, log.message) == ("rejected", case.message)
    assert (log.rows_loaded, log.rows_rejected) == (0, 0)
    assert [f.status for f in outcome.files] == ["loaded", "rejected"]
    assert env.current_lines("utbetalningar") == [2, 3]  # only the good file's rows
    assert env.history_count("utbetalningar") == 2
    assert outcome.outstanding.files == [case.message]


def test_a_yearly_file_with_rows_of_another_year_is_refused(env: Env) -> None:
    name = "befolkning_2024.csv"
    env.write(name, delivery("befolkning", [None, {"ar": "2023"}]))
    env.load("befolkning")
    assert env.log(name).message == (
        "befolkning_2024.csv: 1 rad(er) har ar för en annan period än filnamnets nyckel 2024 "
        "(första: rad 3, ar '2023'); hela filen avvisas"
    )


def test_a_refused_redelivery_leaves_the_current_slice_untouched(env: Env) -> None:
    """A slice is replaced only by a delivery that loaded: never emptied or half-replaced."""
    name = FILE["utbetalningar"]
    env.write(name, delivery("utbetalningar", [None, None, None]))
    env.load("utbetalningar")
    before = env.current("utbetalningar", "utbetalning_id, belopp")
    env.write(name, delivery("utbetalningar", [None, {"bidragsmanad": "2024-02"}]))
    env.load("utbetalningar")
    assert env.log(name).status == "rejected"
    assert env.current("utbetalningar", "utbetalning_id, belopp") == before


def test_an_unknown_export_is_recorded_as_refused_never_ignored(env: Env) -> None:
    env.write("okand_2024-01.csv", "a;b\n1;2\n")
    env.write(".DS_Store", b"\x00\x01")  # hidden files are not deliveries
    (env.landing / "arkiv").mkdir()  # neither are directories
    env.write(FILE["befolkning"], delivery("befolkning", [None]))

    outcome = env.load_unknown()
    env.load("befolkning")

    message = (
        "okand_2024-01.csv: okänd export; filen laddas inte. Filnamnet ska vara "
        "<export>_<nyckel>.csv med en av exporterna utbetalningar, hushallsmedlemmar, arenden, "
        "forandringsplaner, insatser, befolkning, personal, franvaro, medarbetarenkat, "
        "brukarenkat, vrakningsforebyggande, akutboende, fut_anmalningar, synpunkter, budget"
    )
    assert [(f.file_name, f.status, f.message) for f in outcome.files] == [
        ("okand_2024-01.csv", "rejected", message)
    ]
    assert env.logs("(okänd)") == [("okand_2024-01.csv", "rejected")]
    assert outcome.outstanding.files == [message]
    assert env.load_unknown().files == []  # recorded once, not on every run
    assert env.current_lines("befolkning") == [2]


def test_a_file_of_another_export_is_not_claimed_by_a_prefix(env: Env) -> None:
    env.write("personalkostnader_2024.csv", "a\n1\n")
    env.load("personal")
    assert env.logs("personal") == []
    assert [f.file_name for f in env.load_unknown().files] == ["personalkostnader_2024.csv"]


def test_a_budget_file_mixing_yearly_and_monthly_rows_of_a_district_and_type_is_refused(
    env: Env,
) -> None:
    """catalogue-v2, budget: `manad` on some rows of a district and type but not on others
    refuses the file whole; monthly rows for one pair and a yearly row for another load."""
    good = "budget_2025.csv"
    env.write(
        good,
        delivery(
            "budget",
            [
                {"stadsdel_kod": "BRO", "bistandstyp": "FS", "manad": "2025-01"},
                {"stadsdel_kod": "BRO", "bistandstyp": "FS", "manad": "2025-02"},
                {"stadsdel_kod": "HAL", "bistandstyp": "FS", "manad": ""},
            ],
            file_name=good,
        ),
    )
    env.load("budget")
    assert env.log(good).status == "loaded"
    assert env.log(good).rows_loaded == 3
    mixed = "budget_2024.csv"
    env.write(
        mixed,
        delivery(
            "budget",
            [
                {"stadsdel_kod": "BRO", "bistandstyp": "FS", "manad": "2024-01"},
                {"stadsdel_kod": "HAL", "bistandstyp": "FS", "manad": ""},
                {"stadsdel_kod": "BRO", "bistandstyp": "FS", "manad": ""},
            ],
            file_name=mixed,
        ),
    )
    env.load("budget")
    assert env.log(mixed).status == "rejected"
    assert env.log(mixed).message == (
        "budget_2024.csv: 2 rad(er) med samma stadsdel_kod och bistandstyp har manad på vissa "
        "rader men inte på andra (första: rad 2); hela filen avvisas"
    )


def test_a_budget_month_of_another_year_is_a_row_reject(env: Env) -> None:
    name = "budget_2025.csv"
    env.write(
        name,
        delivery(
            "budget",
            [
                {"stadsdel_kod": "BRO", "manad": "2025-01"},
                {"stadsdel_kod": "BRO", "manad": "2024-12"},
            ],
            file_name=name,
        ),
    )
    env.load("budget")
    assert env.rejects(name) == [(3, "manad 2024-12 ligger inte i filens år 2025")]
