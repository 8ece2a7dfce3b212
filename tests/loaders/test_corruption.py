"""Property-based: corrupt random rows of a generated delivery; the loader never crashes, every
row read is either loaded or rejected, untouched rows load, and no personnummer is stored."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.loaders.contract import EXPORTS
from orchestration.loaders.engine import load_export
from tests.loaders.support import KEY
from tests.privacy import personnummer_in_text

FILES = ("hushallsmedlemmar_2025-01.csv", "utbetalningar_2025-01.csv")
GARBAGE = st.text(alphabet="abcxyzåäö0123456789 ,.;+\t", max_size=14)

# A mutation of one line that cannot affect any other line.
local_mutation = st.one_of(
    st.tuples(st.just("drop_field"), st.integers(0, 20)),
    st.tuples(st.just("add_field"), GARBAGE),
    st.tuples(st.just("replace_field"), st.integers(0, 20), GARBAGE),
    st.tuples(st.just("empty_field"), st.integers(0, 20)),
    st.tuples(st.just("change_digit"), st.integers(0, 20), st.integers(0, 200), st.integers(0, 9)),
    st.tuples(st.just("blank_line")),
    st.tuples(st.just("truncate"), st.integers(0, 80)),
)
# Mutations that may also break the lines after them (quotes, embedded newlines).
nasty_mutation = st.one_of(
    local_mutation,
    st.tuples(
        st.just("insert"), st.integers(0, 80), st.sampled_from(['"', '""', "\n", "\r", "\x00"])
    ),
)


def mutate(line: str, mutation: tuple, protected: set[int]) -> str:
    """`line` mutated. A changed digit never lands in a `protected` field: in the key column a
    row of another month makes the whole file a file-level reject, and in an id it can create a
    conflicting duplicate of another row, which rejects both — the contract, but not local."""
    fields = line.split(";")
    kind = mutation[0]
    if kind == "drop_field":
        del fields[mutation[1] % len(fields)]
    elif kind == "add_field":
        fields.append(mutation[1])
    elif kind == "replace_field":
        fields[mutation[1] % len(fields)] = mutation[2]
    elif kind == "empty_field":
        fields[mutation[1] % len(fields)] = ""
    elif kind == "change_digit":
        j = mutation[1] % len(fields)
        field = fields[j]
        digits = [i for i, ch in enumerate(field) if ch.isdigit()]
        if j not in protected and digits:
            i = digits[mutation[2] % len(digits)]
            fields[j] = field[:i] + str(mutation[3]) + field[i + 1 :]
    elif kind == "blank_line":
        return ""
    elif kind == "truncate":
        return line[: mutation[1] % (len(line) + 1)]
    elif kind == "insert":
        i = mutation[1] % (len(line) + 1)
        return line[:i] + mutation[2] + line[i:]
    return ";".join(fields)


def corrupt_and_load(
    source: Path, name: str, mutations: dict[int, tuple]
) -> tuple[duckdb.DuckDBPyConnection, list[str], set[int]]:
    lines = source.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(";")
    protected = {
        header.index(c) for c in ("bidragsmanad", "utbetalning_id", "hushall_id") if c in header
    }
    data = range(1, len([x for x in lines if x]))  # indexes of data lines
    touched = set()
    for index, mutation in mutations.items():
        i = data[index % len(data)]
        lines[i] = mutate(lines[i], mutation, protected)
        touched.add(i + 1)  # physical line number
    con = duckdb.connect()  # in memory: many examples, and the file format is not under test
    with tempfile.TemporaryDirectory(prefix="corrupt-") as directory:
        tmp = Path(directory)
        (tmp / name).write_text("\n".join(lines), encoding="utf-8", newline="")
        load_export(con, EXPORTS[name.split("_")[0]], tmp, KEY)
    return con, lines, touched


def check_accounting(con: duckdb.DuckDBPyConnection, name: str) -> tuple:
    log = con.execute(
        "select status, rows_read, rows_loaded, rows_rejected, message, delivery_id "
        "from raw.load_log"
    ).fetchall()
    assert len(log) == 1
    status, read, loaded, rejected, message, delivery = log[0]
    export = name.split("_")[0]
    stored = con.execute(
        f"select count(*) from raw.{export}_history where _delivery_id = ?", [delivery]
    ).fetchone()[0]
    rejects = con.execute("select line_number, raw_line_masked, reason from raw.rejects").fetchall()
    if status == "rejected":
        assert message.startswith(f"{name}: ")
        assert (loaded, rejected, stored, rejects) == (0, 0, 0, [])
    else:
        assert status == "loaded"
        assert read == loaded + rejected
        assert (stored, len(rejects)) == (loaded, rejected)
    for _, line, reason in rejects:
        assert personnummer_in_text(line) == []
        assert personnummer_in_text(reason) == []
    return status, read, loaded, rejects


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(FILES),
    mutations=st.dictionaries(st.integers(0, 10_000), local_mutation, min_size=1, max_size=12),
)
def test_local_corruption_rejects_at_most_the_corrupted_rows(
    tiny_landing: Path, name: str, mutations: dict[int, tuple]
) -> None:
    con, lines, touched = corrupt_and_load(tiny_landing / name, name, mutations)
    status, read, _loaded, rejects = check_accounting(con, name)
    assert status == "loaded"
    data_lines = [n for n, line in enumerate(lines[1:], start=2) if line.strip(" ;\t")]
    assert read == len(data_lines)
    assert {line for line, _, _ in rejects} <= touched
    loaded_lines = {
        r[0] for r in con.execute(f"select _line_number from raw.{name.split('_')[0]}").fetchall()
    }
    assert set(data_lines) - touched <= loaded_lines
    con.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(FILES),
    mutations=st.dictionaries(st.integers(0, 10_000), nasty_mutation, min_size=1, max_size=12),
)
def test_any_corruption_is_accounted_for_without_a_crash(
    tiny_landing: Path, name: str, mutations: dict[int, tuple]
) -> None:
    con, _lines, _touched = corrupt_and_load(tiny_landing / name, name, mutations)
    check_accounting(con, name)
    con.close()
