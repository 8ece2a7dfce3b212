"""The delivery guard: suspicious re-deliveries of a month or year are held (guard.py), and
`bistand accept` lets one replace its slice (accept.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.accept import NotHeld, accept
from orchestration.loaders.guard import MAX_REJECTED_ENV, max_rejected_percent
from orchestration.settings import Paths
from tests import reliability
from tests.loaders.support import FILE, Env, delivery

PAYMENTS = FILE["utbetalningar"]
SEVEN = delivery("utbetalningar", [None] * 7)
ONE_BAD_OF_SEVEN = delivery("utbetalningar", [None] * 6 + [{"belopp": "12.50"}])


def note(case: str, status: str, before: int, after: int) -> None:
    """A row of docs/reliability.md (loader level: no exit code)."""
    reliability.record(
        "guard",
        case,
        {
            "status": status,
            "rows of the month before": before,
            "rows after": after,
            "exit": "2 (held)" if status == "held" else "0",
        },
    )


def held_message(name: str) -> str:
    return f"Godkänn den med: bistand accept {name}"


def accept_in(env: Env, name: str) -> str:
    env.con.close()  # accept opens the warehouse itself, as the CLI would
    try:
        return accept(Paths(landing=env.landing, warehouse=env.path), name)
    finally:
        import duckdb

        env.con = duckdb.connect(str(env.path))


def test_a_header_only_redelivery_is_held_and_the_month_keeps_its_rows(env: Env) -> None:
    env.write(PAYMENTS, SEVEN)
    env.load("utbetalningar")
    env.write(PAYMENTS, delivery("utbetalningar", []))
    outcome = env.load("utbetalningar")
    log = env.log(PAYMENTS)
    assert [(f.status, f.rows_read, f.rows_loaded) for f in outcome.files] == [("held", 0, 0)]
    assert log.status == "held"
    assert log.message == (
        f"{PAYMENTS}: HÅLLEN, ersätter inte 2024-01 (0 rader laddade, nuvarande leverans har "
        f"7); {PAYMENTS} gäller. {held_message(PAYMENTS)}"
    )
    assert env.current_lines("utbetalningar") == [2, 3, 4, 5, 6, 7, 8]
    assert outcome.outstanding.held == [log.message]
    assert outcome.outstanding.files == [] and outcome.outstanding.rows == 0
    assert env.outstanding("utbetalningar") == [("hållen", PAYMENTS, None, log.message)]
    note("header-only re-delivery (loader)", "held", 7, 7)


def test_a_redelivery_with_one_row_in_seven_rejected_is_held(env: Env) -> None:
    env.write(PAYMENTS, SEVEN)
    env.load("utbetalningar")
    env.write(PAYMENTS, ONE_BAD_OF_SEVEN)
    outcome = env.load("utbetalningar")
    assert [(f.status, f.rows_read, f.rows_loaded, f.rows_rejected) for f in outcome.files] == [
        ("held", 7, 6, 1)
    ]
    assert "1 av 7 rader avvisade (14,3 %, gränsen är 1 %" in outcome.files[0].message
    assert env.current_lines("utbetalningar") == [2, 3, 4, 5, 6, 7, 8]
    # the held file's reject is stored, but is not an outstanding row reject: it is not current
    assert env.rejects(PAYMENTS) == [(8, "decimalpunkt i belopp (ska vara decimalkomma): '12.50'")]
    assert [level for level, *_ in env.outstanding("utbetalningar")] == ["hållen"]
    note("1 row in 7 rejected (14,3 % > 1 %)", "held", 7, 7)


def test_the_rejected_share_limit_is_configurable(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_REJECTED_ENV, "15")
    env.write(PAYMENTS, SEVEN)
    env.load("utbetalningar")
    env.write(PAYMENTS, ONE_BAD_OF_SEVEN)
    outcome = env.load("utbetalningar")
    assert [(f.status, f.rows_loaded, f.rows_rejected) for f in outcome.files] == [("loaded", 6, 1)]
    assert env.current_lines("utbetalningar") == [2, 3, 4, 5, 6, 7]
    note("1 row in 7 rejected, BISTAND_MAX_REJECTED_PERCENT=15", "loaded", 7, 6)
    monkeypatch.setenv(MAX_REJECTED_ENV, "2,5")
    assert max_rejected_percent() == 2.5
    monkeypatch.setenv(MAX_REJECTED_ENV, "many")
    with pytest.raises(ValueError, match="BISTAND_MAX_REJECTED_PERCENT='many' är inget tal"):
        max_rejected_percent()


def test_under_half_the_rows_is_held_half_or_more_replaces(env: Env) -> None:
    env.write(PAYMENTS, delivery("utbetalningar", [None] * 6))
    env.load("utbetalningar")
    env.write(PAYMENTS, delivery("utbetalningar", [None] * 2))
    held = env.load("utbetalningar").files[0]
    assert (held.status, held.rows_loaded) == ("held", 2)
    assert "2 rader laddade, under hälften av nuvarande leverans 6" in held.message
    assert len(env.current_lines("utbetalningar")) == 6
    note("2 rows where 6 were (under half)", "held", 6, 6)
    env.write(PAYMENTS, delivery("utbetalningar", [None] * 3))
    loaded = env.load("utbetalningar").files[0]
    assert (loaded.status, loaded.rows_loaded) == ("loaded", 3)
    assert env.current_lines("utbetalningar") == [2, 3, 4]
    assert env.outstanding("utbetalningar") == []  # the held file was replaced by a later one
    note("3 rows where 6 were (half)", "loaded", 6, 3)


def test_first_deliveries_and_snapshots_are_never_held(env: Env) -> None:
    env.write(PAYMENTS, delivery("utbetalningar", []))
    first = env.load("utbetalningar").files[0]
    assert (first.status, first.rows_read) == ("loaded", 0)
    cases = FILE["arenden"]
    env.write(cases, delivery("arenden", [None] * 4))
    env.load("arenden")
    env.write(cases, delivery("arenden", []))
    snapshot = env.load("arenden").files[0]
    assert (snapshot.status, snapshot.rows_read) == ("loaded", 0)
    assert env.current_lines("arenden") == []


def test_an_accepted_file_replaces_the_slice_and_the_acceptance_is_logged(env: Env) -> None:
    env.write(PAYMENTS, SEVEN)
    env.load("utbetalningar")
    env.write(PAYMENTS, delivery("utbetalningar", []))
    env.load("utbetalningar")
    held_id = env.log(PAYMENTS).delivery_id
    said = accept_in(env, str(env.landing / PAYMENTS))
    assert said == (
        f"{PAYMENTS} godkänd (leverans {held_id}): den ersätter 2024-01 vid nästa uppdatering "
        "(bistand refresh)"
    )
    log = env.log(PAYMENTS)
    accepted_at = env.con.execute(
        "select accepted_at is not null from raw.load_log where delivery_id = ?", [held_id]
    ).fetchone()[0]
    assert (log.delivery_id, log.status, accepted_at) == (held_id, "loaded", True)
    assert "GODKÄND med bistand accept" in log.message
    assert env.current_lines("utbetalningar") == []  # the month is now empty, as delivered
    note("header-only re-delivery, then bistand accept", "held, then accepted", 7, 0)
    assert env.outstanding("utbetalningar") == []
    with pytest.raises(NotHeld, match="hålls inte \\(status loaded\\)"):
        accept_in(env, PAYMENTS)
    with pytest.raises(NotHeld, match="ingen leverans med det namnet"):
        accept_in(env, "utbetalningar_1999-01.csv")


def test_a_held_identical_redelivery_is_accepted_as_identical(env: Env, tmp_path: Path) -> None:
    env.write(PAYMENTS, delivery("utbetalningar", []))
    env.load("utbetalningar")
    env.write(PAYMENTS, SEVEN)
    env.load("utbetalningar")
    env.write(PAYMENTS, delivery("utbetalningar", []))  # byte-identical to the first
    held = env.load("utbetalningar").files[0]
    assert (held.status, held.same_as_delivery_id) == ("held", 1)
    accept_in(env, PAYMENTS)
    assert env.log(PAYMENTS).status == "identical"
    assert env.current_lines("utbetalningar") == []
