"""Delivery semantics: replacement, identical and unchanged files, snapshots, A → B → A,
rebuilding an earlier state, atomic slices, and which rejects stay outstanding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.loaders import deliveries
from tests.loaders.support import FILE, Env, delivery

PAYMENTS = FILE["utbetalningar"]
A = delivery("utbetalningar", [None, None, None])
B = delivery("utbetalningar", [{"belopp": "1,00"}, None])


def amounts(env: Env) -> list[tuple]:
    return env.current("utbetalningar", "utbetalning_id, belopp::varchar")


def test_a_newer_delivery_of_a_month_replaces_it_entirely(env: Env) -> None:
    env.write(PAYMENTS, A)
    env.write(
        "utbetalningar_2024-02.csv",
        delivery("utbetalningar", [None], file_name="utbetalningar_2024-02.csv"),
    )
    env.load("utbetalningar")
    env.write(PAYMENTS, B)
    outcome = env.load("utbetalningar")
    assert [(f.file_name, f.status) for f in outcome.files] == [(PAYMENTS, "loaded")]
    assert env.current(
        "utbetalningar", "utbetalning_id, belopp::varchar, bidragsmanad::varchar", "all"
    ) == [
        ("U00001", "1.0000", "2024-01-01"),
        ("U00001", "1001.5000", "2024-02-01"),
        ("U00002", "1002.5000", "2024-01-01"),
    ]
    assert env.history_count("utbetalningar") == 3 + 1 + 2  # every delivery kept


def test_an_unchanged_landing_directory_creates_no_deliveries(env: Env) -> None:
    env.write(PAYMENTS, A)
    env.write(FILE["arenden"], delivery("arenden", [None]))
    env.load("utbetalningar")
    env.load("arenden")
    count = env.con.execute("select count(*) from raw.load_log").fetchone()[0]
    assert env.load("utbetalningar").files == []
    assert env.load("arenden").files == []
    assert env.con.execute("select count(*) from raw.load_log").fetchone()[0] == count


def test_a_byte_identical_redelivery_is_recorded_but_not_loaded_again(env: Env) -> None:
    env.write(PAYMENTS, A)
    env.load("utbetalningar")
    first = env.log(PAYMENTS)
    env.write(PAYMENTS, A)  # same bytes, new modification time
    outcome = env.load("utbetalningar")
    again = env.log(PAYMENTS)
    assert [f.status for f in outcome.files] == ["identical"]
    assert (again.status, again.same_as_delivery_id, again.content_hash) == (
        "identical",
        first.delivery_id,
        first.content_hash,
    )
    assert (again.rows_read, again.rows_loaded, again.rows_rejected) == (3, 3, 0)
    assert env.history_count("utbetalningar") == 3
    assert len(amounts(env)) == 3


def test_a_to_b_to_a_makes_a_current_again(env: Env) -> None:
    env.write(PAYMENTS, A)
    env.load("utbetalningar")
    state_a = amounts(env)
    env.write(PAYMENTS, B)
    env.load("utbetalningar")
    assert amounts(env) != state_a
    env.write(PAYMENTS, A)  # the third, newest delivery is byte-identical to the first
    env.load("utbetalningar")
    assert amounts(env) == state_a
    assert [s for _, s in env.logs("utbetalningar")] == ["loaded", "loaded", "identical"]
    assert env.history_count("utbetalningar") == 3 + 2


def test_newest_delivery_is_by_modification_time_then_name_not_by_load_order(env: Env) -> None:
    env.write(PAYMENTS, A, mtime=2_000_000_000)
    env.load("utbetalningar")
    env.write("UTBETALNINGAR_2024-01.csv", B, mtime=1_900_000_000)  # older, delivered later
    env.load("utbetalningar")
    assert len(amounts(env)) == 3  # A is still the newest delivery of 2024-01
    env.write("UTBETALNINGAR_2024-01.csv", B, mtime=2_000_000_000)  # same time: name decides
    env.load("utbetalningar")
    assert len(amounts(env)) == 3  # "utbetalningar_…" sorts after "UTBETALNINGAR_…"


def test_the_latest_snapshot_wins_and_an_older_one_delivered_late_changes_nothing(
    env: Env,
) -> None:
    env.write("arenden_2026-02-05.csv", delivery("arenden", [None, None]))
    env.load("arenden")
    env.write("arenden_2026-01-05.csv", delivery("arenden", [None, None, None]))  # late, older
    outcome = env.load("arenden")
    assert [(f.file_name, f.status) for f in outcome.files] == [
        ("arenden_2026-01-05.csv", "loaded")
    ]
    assert env.current_lines("arenden") == [2, 3]
    env.write("arenden_2026-02-05.csv", delivery("arenden", [None]))  # re-delivered same date
    env.load("arenden")
    assert env.current_lines("arenden") == [2]


def test_the_history_rebuilds_any_earlier_state(env: Env) -> None:
    env.write(PAYMENTS, A)
    env.load("utbetalningar")
    after_a = env.con.execute("select max(loaded_at) from raw.load_log").fetchone()[0]
    env.write(PAYMENTS, B)
    env.write(
        "utbetalningar_2024-02.csv",
        delivery("utbetalningar", [None], file_name="utbetalningar_2024-02.csv"),
    )
    env.load("utbetalningar")
    then = env.con.execute(
        "select utbetalning_id, belopp::varchar from raw.utbetalningar_as_of(?) order by all",
        [after_a],
    ).fetchall()
    assert then == [("U00001", "1001.5000"), ("U00002", "1002.5000"), ("U00003", "1003.5000")]
    before_anything = env.con.execute(
        "select count(*) from raw.utbetalningar_as_of(timestamp '2000-01-01')"
    ).fetchone()
    assert before_anything == (0,)
    now = env.con.execute(
        "select * from raw.utbetalningar_as_of(timestamp '9999-01-01') order by all"
    ).fetchall()
    assert now == env.con.execute("select * from raw.utbetalningar order by all").fetchall()


def test_a_failure_while_writing_a_slice_leaves_nothing_half_written(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.write(PAYMENTS, A)
    env.load("utbetalningar")
    before = amounts(env)
    env.write(PAYMENTS, delivery("utbetalningar", [None, {"belopp": "x"}, None, None]))

    def broken_log(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(deliveries, "write_load_log", broken_log)
    with pytest.raises(OSError, match="disk full"):
        env.load("utbetalningar")
    assert amounts(env) == before
    assert env.history_count("utbetalningar") == 3
    assert env.con.execute("select count(*) from raw.rejects").fetchone() == (0,)
    assert len(env.logs("utbetalningar")) == 1
    monkeypatch.undo()
    env.load("utbetalningar")  # the next run loads it
    assert len(amounts(env)) == 3 and len(env.logs("utbetalningar")) == 2


def test_edited_reference_data_validates_a_touched_identical_file_again(
    env: Env, tmp_path: Path
) -> None:
    from orchestration.settings import REFERENCE_DIR

    seeds = tmp_path / "seeds"
    shutil.copytree(REFERENCE_DIR, seeds)
    text = delivery("utbetalningar", [None, {"stadsdel_kod": "NYA"}])
    env.write(PAYMENTS, text)
    env.load("utbetalningar", reference_dir=seeds)
    assert env.rejects(PAYMENTS) == [(3, "okänd kod 'NYA' i stadsdel_kod")]
    with (seeds / "ref_districts.csv").open("a", encoding="utf-8") as handle:
        handle.write("NYA,Nya stadsdelen,stadsdel,EB-NYA,2020-01-01,\n")
    assert env.load("utbetalningar", reference_dir=seeds).files == []  # untouched: not re-read
    env.write(PAYMENTS, text)  # touched
    outcome = env.load("utbetalningar", reference_dir=seeds)
    assert [(f.status, f.rows_loaded) for f in outcome.files] == [("loaded", 2)]
    assert env.outstanding("utbetalningar") == []


def test_row_rejects_stay_outstanding_until_a_corrected_delivery(env: Env) -> None:
    env.write(PAYMENTS, delivery("utbetalningar", [None, {"belopp": "x"}]))
    first = env.load("utbetalningar")
    assert (first.rows_rejected, first.outstanding.rows) == (1, 1)
    again = env.load("utbetalningar")  # nothing new delivered: still outstanding
    assert (again.files, again.outstanding.rows) == ([], 1)
    assert again.outstanding.reasons == {"ogiltigt tal i belopp: 'x'": 1}
    assert env.outstanding("utbetalningar") == [("rad", PAYMENTS, 3, "ogiltigt tal i belopp: 'x'")]
    env.write(PAYMENTS, delivery("utbetalningar", [None, None]))
    assert not env.load("utbetalningar").outstanding.any
    assert env.con.execute("select count(*) from raw.rejects").fetchone() == (1,)  # history


def test_a_refused_file_is_outstanding_while_it_lies_in_the_landing_directory(env: Env) -> None:
    path = env.write("utbetalningar_2024-13.csv", A)
    assert len(env.load("utbetalningar").outstanding.files) == 1
    assert len(env.load("utbetalningar").outstanding.files) == 1
    path.unlink()  # the operator withdrew it
    assert not env.load("utbetalningar").outstanding.any


def test_a_refused_redelivery_is_outstanding_until_a_later_delivery_of_its_key_loads(
    env: Env,
) -> None:
    env.write(PAYMENTS, A)
    env.load("utbetalningar")
    env.write(PAYMENTS, A.replace("belopp", "summa"))
    assert len(env.load("utbetalningar").outstanding.files) == 1
    env.write(PAYMENTS, B)
    outcome = env.load("utbetalningar")
    assert not outcome.outstanding.any
    assert len(amounts(env)) == 2


def test_an_older_snapshot_refused_after_a_newer_one_loaded_is_not_outstanding(
    env: Env,
) -> None:
    env.write("arenden_2026-02-05.csv", delivery("arenden", [None]))
    env.write("arenden_2026-01-05.csv", "fel\n")
    assert not env.load("arenden").outstanding.any


def test_a_refused_newer_snapshot_leaves_the_previous_snapshot_current(env: Env) -> None:
    env.write("arenden_2026-01-05.csv", delivery("arenden", [None, None]))
    env.write("arenden_2026-02-05.csv", delivery("arenden", [None]).replace("arende_id", "id"))
    outcome = env.load("arenden")
    assert [f.status for f in outcome.files] == ["loaded", "rejected"]
    assert env.current_lines("arenden") == [2, 3]
    assert env.con.execute(
        "select file_key from raw.current_deliveries where export = 'arenden'"
    ).fetchall() == [("2026-01-05",)]
    assert len(outcome.outstanding.files) == 1
