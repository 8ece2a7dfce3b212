"""The format rules of the contract: encodings, header matching, quoting, line endings."""

from __future__ import annotations

from tests.loaders.support import FILE, Env, delivery

PERSONAL = FILE["personal"]


def test_windows_1252_with_swedish_letters_is_read_as_such(env: Env) -> None:
    text = delivery(
        "personal",
        [{"befattning": "Förste socialsekreterare, Åsa-gruppen"}, {"befattning": "Handläggare"}],
    )
    env.write(PERSONAL, text, encoding="cp1252")
    assert "ö".encode("cp1252") in (env.landing / PERSONAL).read_bytes()  # really not UTF-8
    env.load("personal")
    log = env.log(PERSONAL)
    assert (log.status, log.encoding, log.rows_loaded) == ("loaded", "windows-1252", 2)
    assert env.current("personal", "befattning") == [
        ("Förste socialsekreterare, Åsa-gruppen",),
        ("Handläggare",),
    ]


def test_utf8_with_and_without_bom(env: Env) -> None:
    text = delivery("personal", [{"befattning": "Enhetschef på Östermalm"}])
    env.write(PERSONAL, "\ufeff" + text)
    env.write("personal_2026-02-05.csv", text.replace("HR00001", "HR00002"), encoding="utf-8")
    env.load("personal")
    assert env.log(PERSONAL).encoding == "utf-8-bom"
    assert env.log("personal_2026-02-05.csv").encoding == "utf-8"
    assert env.con.execute("select distinct befattning from raw.personal_history").fetchall() == [
        ("Enhetschef på Östermalm",)
    ]


def test_headers_match_case_insensitively_trimmed_quoted_in_any_order(env: Env) -> None:
    text = 'Antal;"STADSDEL_KOD";Kon ;"ar"; ALDER\n7;BRO;K;2024;5\n'
    env.write(FILE["befolkning"], text)
    env.load("befolkning")
    assert env.current("befolkning", "ar, stadsdel_kod, kon, alder, antal") == [
        (2024, "BRO", "K", 5, 7)
    ]


def test_crlf_blank_lines_and_separator_only_lines_are_not_rows(env: Env) -> None:
    lines = delivery("befolkning", [None, None, None], newline="\r\n").split("\r\n")
    text = "\r\n".join([lines[0], lines[1], "", ";;;;", lines[2], "  ", lines[3]]) + "\r\n\r\n\r\n"
    env.write(FILE["befolkning"], text)
    env.load("befolkning")
    log = env.log(FILE["befolkning"])
    assert (log.rows_read, log.rows_loaded, log.rows_rejected) == (3, 3, 0)
    assert env.current_lines("befolkning") == [2, 5, 7]  # physical lines


def test_line_numbers_are_physical_lines_after_a_multi_line_quoted_field(env: Env) -> None:
    text = delivery(
        "personal",
        [
            {"befattning": '"Socialsekreterare\r\nmed två rader\r\noch ""citat"""'},
            None,
            {"kon": "X"},
        ],
        newline="\r\n",
    )
    env.write(PERSONAL, text)
    env.load("personal")
    assert env.current("personal", "_line_number, befattning") == [
        (2, 'Socialsekreterare\r\nmed två rader\r\noch "citat"'),
        (5, "Socialsekreterare"),
    ]
    assert env.rejects(PERSONAL) == [(6, "okänd kod 'X' i kon")]


def test_a_quoted_field_with_semicolon_is_one_field(env: Env) -> None:
    env.write(PERSONAL, delivery("personal", [{"befattning": '"Chef; tillförordnad"'}]))
    env.load("personal")
    assert env.current("personal", "befattning") == [("Chef; tillförordnad",)]


def test_unknown_and_unnamed_columns_are_ignored_with_one_warning_per_file(env: Env) -> None:
    header = [*delivery("befolkning", []).strip().split(";"), "kommentar", ""]
    rows = [
        "2024;BRO;K;1;10;hemlig anteckning;x",
        "2024;BRO;K;2;10;;",
        "2024;BRO;K;3;10;en till;y",
    ]
    env.write(FILE["befolkning"], ";".join(header) + "\n" + "\n".join(rows) + "\n")
    outcome = env.load("befolkning")
    log = env.log(FILE["befolkning"])
    assert (
        log.warnings == "okända kolumner ignoreras: kommentar; kolumner utan rubrik ignoreras: nr 7"
    )
    assert outcome.warnings == {
        "okända kolumner ignoreras: kommentar": [FILE["befolkning"]],
        "kolumner utan rubrik ignoreras: nr 7": [FILE["befolkning"]],
    }
    assert log.rows_loaded == 3
    stored = env.con.execute("select * from raw.befolkning_history").fetchall()
    assert "hemlig" not in repr(stored)


def test_an_unknown_columns_content_is_not_shown_in_a_rejected_line(env: Env) -> None:
    header = delivery("befolkning", []).strip() + ";kommentar"
    env.write(FILE["befolkning"], header + "\n2024;BRO;K;999;10;Anna Andersson ringde\n")
    env.load("befolkning")
    assert env.reject_lines(FILE["befolkning"]) == ["2024;BRO;K;999;10;*"]


def test_a_header_only_monthly_file_empties_its_month_with_a_warning_once_accepted(
    env: Env,
) -> None:
    name = FILE["utbetalningar"]
    env.write(name, delivery("utbetalningar", [None, None]))
    env.write(
        "utbetalningar_2024-02.csv",
        delivery("utbetalningar", [None], file_name="utbetalningar_2024-02.csv"),
    )
    env.load("utbetalningar")
    env.write(name, delivery("utbetalningar", []))
    env.load("utbetalningar")
    log = env.log(name)
    # a re-delivery that empties a month is held (loaders/guard.py, tests/loaders/test_guard.py)
    assert (log.status, log.rows_read, log.warnings) == (
        "held",
        0,
        "filen har inga rader: 2024-01 blir tom i lagret",
    )
    assert len(env.current("utbetalningar", "bidragsmanad::varchar", "1")) == 3
    env.con.execute(
        "update raw.load_log set status = 'loaded' where delivery_id = ?", [log.delivery_id]
    )
    assert env.current("utbetalningar", "bidragsmanad::varchar", "1") == [("2024-02-01",)]


def test_a_header_only_snapshot_is_the_latest_snapshot(env: Env) -> None:
    env.write(FILE["arenden"], delivery("arenden", [None]))
    env.write("arenden_2026-02-05.csv", delivery("arenden", []))
    env.load("arenden")
    assert env.log("arenden_2026-02-05.csv").warnings == (
        "filen har inga rader: ögonblicksbilden 2026-02-05 är tom"
    )
    assert env.current("arenden", "*") == []


def test_values_are_trimmed(env: Env) -> None:
    env.write(
        FILE["befolkning"], delivery("befolkning", [{"stadsdel_kod": " BRO ", "antal": " 12 "}])
    )
    env.load("befolkning")
    assert env.current("befolkning", "stadsdel_kod, antal") == [("BRO", 12)]
