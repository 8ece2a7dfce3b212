"""The two ways a delivery is staged give the same warehouse.

A *plain* file (UTF-8, no quote character, no lone carriage return; textfile.py) is split into
records, validated and pseudonymised by DuckDB (staging.plain_source); any other file goes
through the csv module line by line (staging.python_source). Each case here is loaded both ways
into its own warehouse and every raw table must come out identical (the load time aside). A file
the SQL path cannot decide alone (a value in another column that may be a personnummer, a
personnummer with non-ASCII characters) is handed to the Python path by the plain path itself.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.loaders import staging, textfile
from orchestration.loaders.contract import EXPORTS
from orchestration.loaders.staging import BLANK_LINE_RE
from tests.loaders.support import FILE, PNR, Env, delivery

HOUSEHOLD = "hushallsmedlemmar"
PAYMENTS = "utbetalningar"
STAFF = "personal"

CASES: dict[str, tuple[str, str]] = {
    "wrong number of fields, both ways, with a personnummer in the line": (
        HOUSEHOLD,
        delivery(
            HOUSEHOLD,
            [
                None,
                f"H00002;2024-01;{PNR[2]};K",
                None,
                f"H00004;2024-01;{PNR[4]};M;SOK;extra",
                None,
            ],
        ),
    ),
    "blank lines, whitespace-only lines and separator-only lines are not records": (
        HOUSEHOLD,
        delivery(HOUSEHOLD, [None, "", ";;;;", " ; \t;\u00a0;\u2003;\x1c", None, "\x0b\x0c", None]),
    ),
    "blank lines before the header and CRLF line ends": (
        PAYMENTS,
        "\r\n \r\n" + delivery(PAYMENTS, [None, None, {"belopp": "12,345678"}], newline="\r\n"),
    ),
    "a byte-order mark and no newline after the last line": (
        HOUSEHOLD,
        "\ufeff" + delivery(HOUSEHOLD, [None, None]).rstrip("\n"),
    ),
    "bad, short, ten-digit, plus-sign and empty personnummer; one repeated": (
        HOUSEHOLD,
        delivery(
            HOUSEHOLD,
            [
                {"personnummer": PNR[1][:-1] + str((int(PNR[1][-1]) + 1) % 10)},
                {"personnummer": PNR[2][2:]},
                {"personnummer": PNR[3][:8] + "+" + PNR[3][8:]},
                {"personnummer": ""},
                {"personnummer": f" {PNR[5]} "},
                {"personnummer": PNR[1]},
                {"personnummer": PNR[1]},
            ],
        ),
    ),
    "unknown and unnamed columns are ignored, a personnummer in another column is refused": (
        PAYMENTS,
        delivery(
            PAYMENTS,
            [
                {"anteckning": PNR[0]},
                {"anteckning": ""},
                {"belopp": PNR[3]},
                {"stadsdel_kod": "XXX", "lo_andamal": "  "},
                {"utbetalning_id": "U00001"},
            ],
            header=[*EXPORTS[PAYMENTS].column_names, "anteckning", ""],
        ),
    ),
    "a header only": (HOUSEHOLD, delivery(HOUSEHOLD, [])),
    "employee numbers": (
        STAFF,
        delivery(STAFF, [None, None, {"anstallningsnummer": ""}, "x;y"], file_name=FILE[STAFF]),
    ),
}


# Cases the plain path hands to the Python path (a personnummer-like value in another column).
HANDED_TO_PYTHON = {
    "unknown and unnamed columns are ignored, a personnummer in another column is refused",
}


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw' order by all"
            ).fetchall()
        ]
        result = {}
        for table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'raw' "
                    "and table_name = ? and column_name not in ('loaded_at', 'listed_at') "
                    "order by column_index",
                    [table],
                ).fetchall()
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            result[table] = con.execute(f"select {listed} from raw.{table} order by all").fetchall()
    return result


def _load_both(tmp_path: Path, export: str, text: str, monkeypatch: pytest.MonkeyPatch) -> tuple:
    name = FILE[export]
    snapshots = []
    paths_used = []
    real_plain, real_python = staging.plain_source, staging.python_source
    for force in (False, True):
        monkeypatch.setattr(staging, "FORCE_PYTHON_RECORDS", force)
        used: list[str] = []

        def plain(*args: object, _real=real_plain, _used=used) -> object:
            _used.append("plain")
            return _real(*args)

        def python(*args: object, _real=real_python, _used=used) -> object:
            _used.append("python")
            return _real(*args)

        monkeypatch.setattr(staging, "plain_source", plain)
        monkeypatch.setattr(staging, "python_source", python)
        root = tmp_path / ("python" if force else "plain")
        root.mkdir(parents=True)
        env = Env(root)
        env.write(name, text, mtime=1_700_000_000)
        outcome = env.load(export)
        env.close()
        snapshots.append((_snapshot(root / "warehouse.duckdb"), outcome.files[0].warnings))
        paths_used.append(used)
    return snapshots, paths_used


@pytest.mark.parametrize("case", list(CASES))
def test_plain_and_python_staging_agree(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export, text = CASES[case]
    (plain, python), used = _load_both(tmp_path, export, text, monkeypatch)
    handed_over = case in HANDED_TO_PYTHON
    assert used[0][0] == "plain" and ("python" in used[0]) == handed_over
    assert used[1] == ["python"]
    assert len(plain[0]["load_log"]) == 1
    assert plain == python


def test_the_cases_exercise_loads_and_rejects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Across the cases there are loaded rows and rejects of every kind staged by hand above."""
    reasons: set[str] = set()
    loaded = 0
    for i, (export, text) in enumerate(CASES.values()):
        (plain, _python), _ = _load_both(tmp_path / str(i), export, text, monkeypatch)
        loaded += len(plain[0][f"{export}_history"])
        reasons |= {row[5] for row in plain[0]["rejects"]}
    # 3 + 3 + 3 + 2 + 3 + 1 + 0 + 3 good rows (see CASES)
    assert loaded == 18
    assert reasons == {
        "dubblett med olika innehåll: samma utbetalning_id på 2 rader (första på rad 2)",
        "fel antal fält: 2, väntade 7",
        "fel antal fält: 4, väntade 5",
        "fel antal fält: 6, väntade 5",
        "ogiltigt personnummer (kontrollsiffra eller datum stämmer inte)",
        "okänd kod 'XXX' i stadsdel_kod",
        "personnummer med '+' (ska vara 12 siffror, ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN)",
        "personnummer med 10 siffror (århundrade okänt; ska vara ÅÅÅÅMMDD-NNNN)",
        "saknar värde i personnummer",
        "värdet i belopp ser ut som ett personnummer och lagras inte",
    }


def test_quotes_and_lone_carriage_returns_make_a_file_not_plain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textfile, "CHUNK", 4)  # line ends split across reads
    cases = {
        b"a;b\r\nc;d\r\n": True,
        b"a;b\nc;d": True,
        b"a;bb\r\nc;d\r\n": True,  # the CR ends one read, its LF starts the next
        b'a;b\n"c";d\n': False,
        b"a;b\rc;d\n": False,
        b"a;b\r\r\nc;d\n": False,
        b"a;b\nc;d\r": False,
        "a;b\nå;d\n".encode("cp1252"): False,  # Windows-1252
    }
    for i, (data, plain) in enumerate(cases.items()):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes(data)
        assert textfile.inspect_file(path).plain is plain, data


def test_the_blank_line_pattern_is_pythons_whitespace() -> None:
    """DuckDB's blank-line pattern accepts exactly what `str.strip` removes, and `;`."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and c != 0]
    with duckdb.connect() as con:
        matched = con.execute(
            f"select list(c) from (select unnest(?::varchar[]) as c) "
            f"where regexp_full_match(c, '{BLANK_LINE_RE}')",
            [chars],
        ).fetchone()[0]
    expected = {c for c in chars if c.isspace() or c == ";"}
    assert set(matched) == expected
