"""The warm `dbt` process (orchestration/dbt_warm.py): used by a refresh, never for a command it
did not parse for, and never left running."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from orchestration import dbt_warm
from orchestration.settings import DBT_EXECUTABLE


@pytest.fixture
def warm(tmp_path: Path):
    dbt_warm.start(tmp_path / "warehouse.duckdb", tmp_path / "dbt_target")
    process = dbt_warm._warm.process  # type: ignore[union-attr]
    yield process
    dbt_warm.stop()
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_refresh_runs_dbt_in_the_warm_process(refreshed_warehouse) -> None:
    logs = list((refreshed_warehouse.warehouse.parent / "logs").glob("refresh-*.log"))
    assert logs, "the refresh wrote no log"
    text = "\n".join(log.read_text(encoding="utf-8") for log in logs)
    assert "dbt kördes i processen som startade med uppdateringen" in text


def test_a_refresh_build_writes_run_results_but_not_the_manifest(refreshed_warehouse) -> None:
    """dbt's manifest.json is the Dagster definitions' (dbt_project/target); the refresh's build
    skips writing its own copy (~0,8 s on one core after the last node) and keeps
    run_results.json (what `make bench` reads)."""
    target = refreshed_warehouse.dbt_target
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    assert results["args"]["which"] == "build" and results["results"]
    assert not (target / "manifest.json").exists()
    assert not (target / "semantic_manifest.json").exists()


def test_a_dbt_command_of_the_tests_writes_the_manifest(dbt_unit_tests) -> None:
    """run() (the tests' dbt commands) writes every artifact, as plain dbt does."""
    assert (dbt_unit_tests.target / "manifest.json").exists()
    assert (dbt_unit_tests.target / "run_results.json").exists()


def test_an_unclaimed_warm_process_ends_with_stop(warm) -> None:
    dbt_warm.stop()
    assert warm.poll() is not None


@pytest.mark.parametrize(
    "change",
    [
        {"DBT_TARGET_PATH": "/somewhere/else"},
        {"BISTAND_WAREHOUSE": "/another/warehouse.duckdb"},
    ],
)
def test_a_command_for_another_warehouse_or_target_is_not_handed_over(
    warm, tmp_path: Path, change: dict[str, str]
) -> None:
    env = {**dbt_warm._warm.env, **change}  # type: ignore[union-attr]
    assert dbt_warm.claim([DBT_EXECUTABLE, "build"], env) is None
    # still there for the build it was started for; stop() ends it
    assert warm.poll() is None and dbt_warm._warm is not None
    dbt_warm.stop()
    assert warm.poll() is not None


@pytest.mark.parametrize(
    "args", [["parse"], ["build", "--vars", "{suppression_threshold: 3}"], ["debug"]]
)
def test_a_parse_changing_or_other_command_is_not_handed_over(warm, args: list[str]) -> None:
    env = dict(dbt_warm._warm.env)  # type: ignore[union-attr]
    assert dbt_warm.claim([DBT_EXECUTABLE, *args], env) is None
    # e.g. the manifest's `dbt parse` before the build: the warm process waits for the build
    assert warm.poll() is None
    assert dbt_warm.claim([DBT_EXECUTABLE, "build"], env) is warm


def test_the_warm_process_dies_with_its_parent(tmp_path: Path) -> None:
    """Started from a process that is then killed, the warm process goes too."""
    import subprocess
    import sys
    import time

    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from orchestration import dbt_warm\n"
        f"dbt_warm.start(Path({str(tmp_path)!r}) / 'w.duckdb', Path({str(tmp_path)!r}) / 't')\n"
        "print(dbt_warm._warm.process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        stat = Path(f"/proc/{child}/stat")
        if stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return
        time.sleep(0.1)
    pytest.fail(f"the warm dbt process {child} outlived its killed parent")


def test_a_new_warehouse_starts_from_the_parse_state_of_the_last_one(
    refreshed_warehouse, tmp_path: Path
) -> None:
    """The session's refresh left the parse state of a `warehouse.duckdb`; a warehouse of that
    name in another folder parses nothing again (dbt's perf_info: 0 files parsed)."""
    assert (refreshed_warehouse.dbt_target / "partial_parse.msgpack").exists()
    target = tmp_path / "dbt_target"
    dbt_warm.start(tmp_path / "warehouse.duckdb", target)
    process = dbt_warm._warm.process  # type: ignore[union-attr]
    try:
        perf = target / "perf_info.json"
        deadline = time.monotonic() + 120
        info = None
        while info is None and time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError, ValueError):  # not yet (completely) written
                info = json.loads(perf.read_text(encoding="utf-8"))
            time.sleep(0.1)
        assert info is not None, "the warm process wrote no perf_info.json"
        assert info["is_partial_parse_enabled"]
        assert (info["path_count"], info["parsed_path_count"]) == (info["path_count"], 0)
        assert info["path_count"] > 200
    finally:
        dbt_warm.stop()


def test_prepare_leaves_the_parse_state_a_refresh_reuses_and_ends(
    refreshed_warehouse, tmp_path: Path
) -> None:
    """prepare() parses as a refresh's warm process does (here from the parse state the
    session's refresh left for a `warehouse.duckdb`) and ends without a command, its state kept
    in the target folder for the next refresh; then prepared again it parses nothing either."""
    target = tmp_path / "dbt_target"
    for _ in range(2):
        result = dbt_warm.prepare(tmp_path / "warehouse.duckdb", target)
        assert result.returncode == 0, result.stdout
        info = json.loads((target / "perf_info.json").read_text(encoding="utf-8"))
        assert info["is_partial_parse_enabled"] and info["path_count"] > 200
        assert info["parsed_path_count"] == 0
        assert (target / "partial_parse.msgpack").exists()
    assert not (tmp_path / "warehouse.duckdb").exists()  # the warehouse is not touched
    assert dbt_warm._warm is None  # nothing left for a refresh to claim


# ------------------------------------------------------------- the order dbt runs nodes in


class _Manifest:
    """What GraphQueue.get asks of a manifest: the node of an id."""

    def expect(self, unique_id: str) -> str:
        return unique_id


class _Node:
    """A manifest node as the warm process's scheduling reads it: its id and config.meta."""

    def __init__(self, unique_id: str, alone: bool, heavy: bool = False) -> None:
        self.unique_id = unique_id
        meta = {dbt_warm.RUN_ALONE: True} if alone else {}
        if heavy:
            meta[dbt_warm.HEAVY] = True
        self.config = SimpleNamespace(meta=meta)

    def __eq__(self, other: object) -> bool:
        return getattr(other, "unique_id", other) == self.unique_id


class _AloneManifest:
    """Nodes whose id starts with model.alone ask to run alone, model.heavy ones are heavy."""

    def expect(self, unique_id: str) -> _Node:
        return _Node(
            unique_id, unique_id.startswith("model.alone"), unique_id.startswith("model.heavy")
        )


def _queue(
    monkeypatch: pytest.MonkeyPatch,
    edges: list[tuple[str, str]],
    threads: int,
    manifest: object | None = None,
):
    """A dbt GraphQueue over `edges` with the warm process's scheduling (undone after the test)."""
    import networkx as nx
    from dbt.graph.queue import GraphQueue
    from dbt.task.runnable import GraphRunnableTask

    for owner, name in ((GraphQueue, "_get_scores"), (GraphQueue, "get")):
        monkeypatch.setattr(owner, name, getattr(owner, name))
    monkeypatch.setattr(GraphRunnableTask, "run_queue", GraphRunnableTask.run_queue)
    dbt_warm._schedule_longest_path_first()
    graph = nx.DiGraph(edges)
    queue = GraphQueue(graph, manifest or _Manifest(), set(graph.nodes))  # type: ignore[arg-type]
    queue.threads = threads  # what run_queue sets from the profile's threads
    return queue


def test_the_longest_chain_is_taken_first_and_a_test_counts_a_quarter() -> None:
    import networkx as nx

    # a → b → c → d is the long chain; x, y and z hang off the start; t tests b
    graph = nx.DiGraph(
        [
            ("model.a", "model.b"),
            ("model.b", "test.t"),
            ("test.t", "model.c"),
            ("model.c", "model.d"),
            ("model.x", "model.y"),
            ("model.z", "model.y"),
        ]
    )
    assert dbt_warm.bottom_levels(graph) == {
        "model.a": 4.25,
        "model.b": 3.25,
        "test.t": 2.25,
        "model.c": 2.0,
        "model.d": 1.0,
        "model.x": 2.0,
        "model.z": 2.0,
        "model.y": 1.0,
    }


def test_a_node_is_taken_only_when_a_thread_is_free_and_then_the_longest_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """dbt's loop took nodes as they became ready and queued them first come, first served in
    its thread pool; here (one thread) the second `get` waits until the running node is done,
    and then the chain's next node goes before the short branch that was ready all along (dbt's
    own score, the topological level, would take the branch: level 0 against 1)."""
    import threading

    queue = _queue(
        monkeypatch,
        [
            ("model.a", "model.b"),
            ("model.b", "model.c"),
            ("model.c", "model.d"),
            ("model.s", "model.t"),
        ],
        threads=1,
    )
    assert queue.get() == "model.a"
    taken: list[str] = []
    second = threading.Thread(target=lambda: taken.append(queue.get()))
    second.start()
    second.join(timeout=0.5)
    assert second.is_alive() and not taken, "a node was taken while the one thread was busy"
    queue.mark_done("model.a")
    second.join(timeout=5)
    assert taken == ["model.b"]
    queue.mark_done("model.b")
    assert [queue.get()] == ["model.c"]


def _taken_in_background(queue) -> tuple[threading.Thread, list]:
    taken: list = []
    thread = threading.Thread(target=lambda: taken.append(queue.get()), daemon=True)
    thread.start()
    thread.join(timeout=0.5)
    return thread, taken


def test_a_node_that_runs_alone_has_no_other_node_beside_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two threads. The node that runs alone (the longest chain, so taken first) keeps the
    second thread waiting although another node is ready; when the other node is running, the
    node that runs alone, once taken, waits for it to finish before it is handed out."""
    edges = [("model.alone", "model.after"), ("model.after", "model.end"), ("model.x", "model.y")]
    queue = _queue(monkeypatch, edges, threads=2, manifest=_AloneManifest())
    assert queue.get() == "model.alone"
    thread, taken = _taken_in_background(queue)
    assert thread.is_alive() and not taken, "a node was taken beside one that runs alone"
    queue.mark_done("model.alone")
    thread.join(timeout=5)
    assert taken == ["model.after"]

    # the other way round: x runs, then the node that runs alone is taken and waits for x
    edges = [("model.x", "model.y"), ("model.z", "model.alone")]
    queue = _queue(monkeypatch, edges, threads=2, manifest=_AloneManifest())
    assert queue.get() == "model.x"
    assert queue.get() == "model.z"
    queue.mark_done("model.z")  # the node that runs alone is ready; x still runs
    thread, taken = _taken_in_background(queue)
    assert thread.is_alive() and not taken, "a node that runs alone was handed out beside x"
    queue.mark_done("model.x")
    thread.join(timeout=5)
    assert taken == ["model.alone"]


def test_a_heavy_node_waits_for_the_heavy_one_that_runs_but_not_for_a_small_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two threads. While a heavy node runs, a second heavy node is not handed out; the free
    thread takes a small node instead, although the heavy one is first in line (the longer
    chain), and the heavy one starts when the first is done."""
    edges = [
        ("model.heavy_a", "model.mid"),
        ("model.mid", "model.end"),
        ("model.heavy_b", "model.mid"),
        ("model.small", "model.end"),
    ]
    queue = _queue(monkeypatch, edges, threads=2, manifest=_AloneManifest())
    heavy = {"model.heavy_a", "model.heavy_b"}
    first = queue.get().unique_id
    assert first in heavy
    thread, taken = _taken_in_background(queue)
    assert taken == ["model.small"], "the free thread waited for a heavy node"
    thread, taken = _taken_in_background(queue)
    assert thread.is_alive() and not taken, "a node was taken while both threads were busy"
    queue.mark_done("model.small")  # a thread is free, but only the heavy node is ready
    thread.join(timeout=0.5)
    assert thread.is_alive() and not taken, "a heavy node was handed out beside another one"
    queue.mark_done(first)
    thread.join(timeout=5)
    assert [node.unique_id for node in taken] == list(heavy - {first})
    # beside a small node, a heavy node is handed out at once
    edges = [("model.small", "model.end"), ("model.heavy", "model.end2")]
    queue = _queue(monkeypatch, edges, threads=2, manifest=_AloneManifest())
    assert {queue.get().unique_id, queue.get().unique_id} == {"model.small", "model.heavy"}


def test_a_debug_event_is_dropped_unless_a_logger_or_callback_takes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The warm process drops dbt's debug events before they are turned into JSON lines that its
    info-level loggers throw away, and still when dbt's own tracking callback (which acts on
    warnings only) is registered; a debug logger or any other callback still gets them."""
    import io

    from dbt.adapters.events.types import SQLQuery
    from dbt.events.types import MainReportVersion
    from dbt.tracking import track_behavior_change_warn
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager
    from dbt_common.events.logger import LineFormat, LoggerConfig

    # restored after the test: the patch replaces the method on dbt's class
    monkeypatch.setattr(EventManager, "fire_event", EventManager.fire_event)
    dbt_warm._skip_debug_events_nobody_reads()

    def fired(level: EventLevel, *extra_callbacks: object) -> list[str]:
        """The events that reached the logger (at `level`), by name."""
        manager = EventManager()
        manager.add_logger(
            LoggerConfig(
                name=f"warm-test-{level}",
                level=level,
                line_format=LineFormat.Json,
                output_stream=io.StringIO(),
            )
        )
        seen: list[str] = []
        (logger,) = manager.loggers
        write_line = logger.write_line

        def counted(msg: object) -> None:
            seen.append(msg.info.name)  # type: ignore[attr-defined]
            write_line(msg)

        logger.write_line = counted  # type: ignore[method-assign]
        manager.callbacks = [track_behavior_change_warn, *extra_callbacks]
        manager.fire_event(SQLQuery(conn_name="c", sql="select 1", node_info={}))
        manager.fire_event(MainReportVersion(version="1", log_version=3))
        return seen

    assert fired(EventLevel.INFO) == ["MainReportVersion"]
    assert fired(EventLevel.DEBUG) == ["SQLQuery", "MainReportVersion"]
    names: list[str] = []
    assert fired(EventLevel.INFO, lambda msg: names.append(msg.info.name)) == [
        "SQLQuery",
        "MainReportVersion",
    ]
    assert names == ["SQLQuery", "MainReportVersion"]


def test_an_event_builds_its_message_when_first_read_or_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The warm process's events keep their arguments until a field is read or set; the message
    they then build is the one dbt builds when the event is made."""
    from dbt.adapters.events.types import SQLQuery
    from dbt_common.events.base_types import BaseEvent

    arguments = {"conn_name": "c", "sql": "select 1", "node_info": {}}
    eager = SQLQuery(**arguments)
    for name in ("__init__", "__getattr__", "__setattr__"):  # restored after the test
        monkeypatch.setattr(BaseEvent, name, getattr(BaseEvent, name))
    dbt_warm._build_event_messages_when_read()

    unread = SQLQuery(**arguments)
    assert "pb_msg" not in unread.__dict__  # nothing built for an event nobody reads
    read = SQLQuery(**arguments)
    assert read.sql == "select 1" and read.level_tag() == eager.level_tag()
    assert read.to_json() == eager.to_json() and read.message() == eager.message()
    written = SQLQuery(**arguments)
    written.sql = "select 2"
    assert written.pb_msg.sql == "select 2" and written.conn_name == "c"


def test_a_type_tester_is_built_once_and_types_tables_as_a_new_one_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The warm process reuses one agate TypeTester per (text-only columns, null values); the
    tables it types have the column types and values a freshly built one gives."""
    from dbt_common.clients import agate_helper

    rows = [
        {"n": 1, "x": 1.5, "d": "2026-08-01", "t": "2026-08-01 10:00:00", "b": "true", "s": "a"},
        {"n": None, "x": 2, "d": None, "t": None, "b": "false", "s": "null"},
    ]

    def typed() -> list[tuple[str, list[object]]]:
        table = agate_helper.table_from_data_flat(rows, ["n", "x", "d", "t", "b", "s"])
        return [(type(c.data_type).__name__, list(c.values())) for c in table.columns]

    expected = typed()
    monkeypatch.setattr(agate_helper, "build_type_tester", agate_helper.build_type_tester)
    dbt_warm._reuse_type_testers()

    assert typed() == expected
    assert typed() == expected
    assert agate_helper.build_type_tester(["b", "a"]) is agate_helper.build_type_tester(["a", "b"])
    assert agate_helper.build_type_tester(["a"]) is not agate_helper.build_type_tester(
        ["a"], string_null_values=()
    )


def test_a_template_is_compiled_once_and_rendered_with_its_own_globals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Compiled Jinja is shared by every template of the same source (per environment class:
    text and native rendering differ); what each renders comes from its own context."""
    from dbt.clients.jinja import get_rendered
    from dbt_common.clients.jinja import MacroFuzzEnvironment

    native = "{{ {'a': [1, 2]} }}"
    expected = get_rendered(native, {}, native=True)  # as dbt renders it without the cache
    monkeypatch.setattr(MacroFuzzEnvironment, "compile", MacroFuzzEnvironment.compile)
    monkeypatch.setattr(dbt_warm, "_compiled", {})
    dbt_warm._reuse_compiled_templates()

    source = "{{ x }} and {{ y | upper }}"
    assert get_rendered(source, {"x": 1, "y": "a"}) == "1 and A"
    assert get_rendered(source, {"x": 2, "y": "b"}) == "2 and B"
    assert len(dbt_warm._compiled) == 1
    assert get_rendered(native, {}) == "{'a': [1, 2]}"
    assert get_rendered(native, {}, native=True) == expected
    assert get_rendered(native, {}, native=True) == expected
    assert len(dbt_warm._compiled) == 3


def test_compiling_ahead_covers_macros_sql_and_test_arguments_and_stops_for_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dbt_common.clients.jinja import MacroFuzzEnvironment

    monkeypatch.setattr(MacroFuzzEnvironment, "compile", MacroFuzzEnvironment.compile)
    monkeypatch.setattr(dbt_warm, "_compiled", {})
    dbt_warm._reuse_compiled_templates()
    arguments = {
        "column_name": "{{ not_rendered }}",
        "to": "ref('stg_a')",
        "expressions": ["{{ y }} > 0", "plain text"],
    }
    assert list(dbt_warm._test_argument_texts(arguments)) == [
        "{{ ref('stg_a') }}",
        "{{ y }} > 0",
        "plain text",
    ]
    manifest = SimpleNamespace(
        macros={"macro.p.m": SimpleNamespace(macro_sql="{% macro m() %}1{% endmacro %}")},
        nodes={
            "model.p.a": SimpleNamespace(language="sql", raw_code="select {{ m() }}"),
            "model.p.plain": SimpleNamespace(language="sql", raw_code="select 1"),
            "test.p.t": SimpleNamespace(
                raw_code="{{ test_rules(**_dbt_generic_test_kwargs) }}",
                test_metadata=SimpleNamespace(kwargs=arguments),
            ),
        },
    )
    # macro, model a, the test's call and its two texts with Jinja (not plain SQL or text)
    assert dbt_warm._compile_ahead(manifest, lambda: False) == 5
    sources = {key[4] for key in dbt_warm._compiled}
    assert {"select {{ m() }}", "{{ ref('stg_a') }}", "{{ y }} > 0"} <= sources
    asked: list[int] = []

    def after_two() -> bool:
        asked.append(1)
        return len(asked) > 2

    assert dbt_warm._compile_ahead(manifest, after_two) == 2


def test_a_build_records_the_macros_it_compiled_and_the_next_compiles_ahead_only_those(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dbt_common.clients.jinja import TemplateCache, template_cache

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    monkeypatch.setattr(TemplateCache, "get_node_template", TemplateCache.get_node_template)
    monkeypatch.setattr(template_cache, "file_cache", {})
    monkeypatch.setattr(dbt_warm, "_used_macros", None)
    dbt_warm._record_used_macros()

    def macro(name: str) -> SimpleNamespace:
        return SimpleNamespace(
            unique_id=f"macro.p.{name}", macro_sql=f"{{% macro {name}() %}}1{{% endmacro %}}"
        )

    macros = {m.unique_id: m for m in (macro("a"), macro("b"), macro("c"))}
    assert dbt_warm._read_used_macros() is None  # a warehouse's first build: all ahead
    # compiled ahead: not recorded as used
    assert dbt_warm._compile_ahead(SimpleNamespace(macros=macros, nodes={}), lambda: False) == 3
    dbt_warm._write_used_macros(None, macros)
    assert not (tmp_path / dbt_warm.USED_MACROS).exists()  # no command ran

    monkeypatch.setattr(dbt_warm, "_used_macros", set())  # the build calls b
    template_cache.get_node_template(macros["macro.p.b"])
    dbt_warm._write_used_macros(None, macros)
    assert dbt_warm._read_used_macros() == {"macro.p.b"}

    # the next build calls c; the union is kept, less a macro the project no longer has
    monkeypatch.setattr(dbt_warm, "_used_macros", {"macro.p.c", "macro.p.gone"})
    dbt_warm._write_used_macros({"macro.p.b", "macro.p.removed"}, macros)
    assert json.loads((tmp_path / dbt_warm.USED_MACROS).read_text()) == ["macro.p.b", "macro.p.c"]

    template_cache.file_cache.clear()
    compiled: list[str] = []
    real = TemplateCache.get_node_template
    monkeypatch.setattr(
        TemplateCache,
        "get_node_template",
        lambda self, node: compiled.append(node.unique_id) or real(self, node),
    )
    used = dbt_warm._read_used_macros()
    assert dbt_warm._compile_ahead(SimpleNamespace(macros=macros, nodes={}), lambda: False, used)
    assert compiled == ["macro.p.b", "macro.p.c"]

    (tmp_path / dbt_warm.USED_MACROS).write_text("{not json", encoding="utf-8")
    assert dbt_warm._read_used_macros() is None
