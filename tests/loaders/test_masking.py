"""No personnummer is stored by the loader: not in rejects, reasons, messages, warnings or file
names, whatever the shape of the bad input."""

from __future__ import annotations

from tests.loaders.support import FILE, PNR, Env, delivery
from tests.privacy import duckdb_texts, file_texts, personnummer_in_text, scan

MEMBERS = FILE["hushallsmedlemmar"]
DASHED = PNR[2][:8] + "-" + PNR[2][8:]
NOT_VALID = DASHED[:-1] + str((int(DASHED[-1]) + 1) % 10)  # shaped like one, check digit wrong


def test_a_rejected_rows_masked_line_hides_the_personnummer(env: Env) -> None:
    env.write(MEMBERS, delivery("hushallsmedlemmar", [{"personnummer": PNR[1][2:]}, {"kon": "X"}]))
    env.load("hushallsmedlemmar")
    assert env.reject_lines(MEMBERS) == [
        "H00001;2024-01;XXXXXXXXXX;K;SOK",
        "H00002;2024-01;XXXXXXXXXXXX;X;SOK",
    ]


def test_no_personnummer_survives_any_bad_input_anywhere_in_the_warehouse(env: Env) -> None:
    rows = [
        {"personnummer": PNR[1][2:]},  # 10 digits: valid as a personnummer, refused here
        {"personnummer": PNR[2][:8] + "+" + PNR[2][8:]},
        {"personnummer": DASHED, "kon": "X"},
        {"hushall_id": PNR[3]},  # a personnummer in an id column
        {"hushall_id": f"hushåll {DASHED} (ny)", "roll": "XX"},  # inside a text
        {"roll": PNR[4]},  # as an unknown code: the reason would quote it
        {"bidragsmanad": PNR[5][2:]},  # as an invalid month: quoted too
        f"H9;2024-01;{PNR[6]};K",  # too few fields
        f'H9;2024-01;{PNR[6]};"K"x;SOK',  # quoting error
        f"H9;2024-01;{PNR[7]};K;SOK;{PNR[8]};{PNR[9]}",  # too many fields
    ]
    header = ["hushall_id", "bidragsmanad", "personnummer", "kon", "roll", f"kolumn {PNR[9]}"]
    text = delivery(
        "hushallsmedlemmar",
        [{**r, f"kolumn {PNR[9]}": PNR[10]} if isinstance(r, dict) else r for r in rows],
        header=header,
    )
    env.write(MEMBERS, text)
    env.write(f"hushallsmedlemmar_{PNR[0]}.csv", text)  # a name with a personnummer
    env.write(f"okand_{PNR[0]}.csv", text)
    env.write("hushallsmedlemmar_2024-02.csv", text.replace(";SOK;", ";MED;"))  # file-level
    assert len(personnummer_in_text(text)) >= 12  # the input really is full of them

    env.load("hushallsmedlemmar")
    env.load_unknown()

    log = env.log(MEMBERS)
    assert (log.rows_read, log.rows_loaded, log.rows_rejected) == (10, 0, 10)
    env.close()
    texts = list(duckdb_texts(env.path))
    assert len(texts) > 20
    assert scan(texts) == {}
    assert scan(file_texts([env.path])) == {}


def test_identifiers_are_masked_in_every_reason(env: Env) -> None:
    env.write(
        FILE["utbetalningar"],
        delivery(
            "utbetalningar",
            [{"stadsdel_kod": PNR[1]}, {"belopp": NOT_VALID}, {"hushall_id": PNR[3]}],
        ),
    )
    env.load("utbetalningar")
    assert env.rejects(FILE["utbetalningar"]) == [
        (
            2,
            "värdet i stadsdel_kod ser ut som ett personnummer och lagras inte; "
            "okänd kod 'XXXXXXXX-XXXX' i stadsdel_kod",
        ),
        (3, "ogiltigt tal i belopp: 'XXXXXXXX-XXXX'"),
        (4, "värdet i hushall_id ser ut som ett personnummer och lagras inte"),
    ]
