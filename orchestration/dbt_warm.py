"""A `dbt` process started at the beginning of a refresh, ready when the loaders are done.

Before its first model a `dbt build` spends ~3 s on one core: the interpreter, dbt's imports
(~1,2 s), the adapter and the project's parse state (~1 s), all before it touches the
warehouse. A refresh spends its own first seconds importing Dagster on one core and then loading
the exports, so the other core is free for that work. `start()` launches this module as a child
process (dying with the refresh, orchestration/children.py) which imports dbt and parses the
project into the warehouse's own target folder — the same partial parse the build would do, with
the same profile and environment — then waits on its stdin without touching the warehouse.

When dagster-dbt starts the build (orchestration/dbt_resource.py), the command line and
environment it would have given a new `dbt` process are written to that stdin instead, and
dagster-dbt reads this process's stdout exactly as it would the new one's: the same JSON log
lines, the same exit code (0 success, 1 failures, 2 error). The parsed project is used only when
nothing that decides the parse differs (project, profile, target folder, no `--vars`); otherwise
the build parses as a new process would. A refresh that never reaches dbt ends the process (it
has not opened the warehouse). With its stdin closed and no command, the process parses, keeps
the parse state and ends (`prepare()`).

    python -m orchestration.dbt_warm     # started by start(), never by hand
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.settings import WAREHOUSE_ENV

# The environment variables that decide what `dbt parse` produces for this project.
PARSE_ENV = (
    WAREHOUSE_ENV,
    "DBT_PROJECT_DIR",
    "DBT_PROFILES_DIR",
    "DBT_TARGET_PATH",
)
# Commands that may use the parsed project (they take no --vars in a refresh).
HANDED_OVER = {"build", "run", "test", "seed"}


@dataclass
class Warm:
    process: subprocess.Popen
    env: dict[str, str]

    def matches(self, args: list[str], env: dict[str, str]) -> bool:
        """Whether this `dbt` command line can run in the warm process."""
        command = next((a for a in args[1:] if not a.startswith("-")), None)
        return (
            self.process.poll() is None
            and command in HANDED_OVER
            and "--vars" not in args
            and all(env.get(k) == self.env.get(k) for k in PARSE_ENV)
        )


_warm: Warm | None = None
_claimed: set[int] = set()  # pids of warm processes that were handed a command


def start(warehouse: Path, target_path: Path) -> None:
    """Starts the warm `dbt` process for a refresh of `warehouse` (in the thread that runs the
    job: the process gets SIGKILL when that thread ends, orchestration/children.py)."""
    global _warm
    stop()
    _warm = _spawn(warehouse, target_path)


def _spawn(warehouse: Path, target_path: Path) -> Warm:
    """A new warm `dbt` process for `warehouse`, not yet handed a command."""
    from orchestration.children import die_with_parent
    from orchestration.settings import DBT_PROJECT_DIR

    env = {
        **os.environ,
        WAREHOUSE_ENV: str(warehouse),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_TARGET_PATH": os.fspath(target_path),
        "DBT_LOG_PATH": os.fspath(target_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.dbt_warm"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=DBT_PROJECT_DIR,
        preexec_fn=die_with_parent(),
    )
    return Warm(process, env)


def claim(args: list[str], env: dict[str, str]) -> subprocess.Popen | None:
    """The warm process running `args` with `env`, or None (then start a new one)."""
    global _warm
    warm = _warm
    if warm is None:
        return None
    if not warm.matches(args, env):
        # another command (e.g. the `dbt parse` that refreshes the project's manifest first):
        # it gets a new process, the warm one waits for the build
        return None
    _warm = None
    return _hand_over(warm, args, env, write_manifest=False)


def _hand_over(
    warm: Warm, args: list[str], env: dict[str, str], write_manifest: bool = True
) -> subprocess.Popen | None:
    """Gives `warm` its command. `write_manifest=False` (a refresh's build): dbt writes
    run_results.json but not manifest.json (_skip_manifest_artifact)."""
    assert warm.process.stdin is not None
    request = {"args": args[1:], "env": env, "write_manifest": write_manifest}
    try:
        warm.process.stdin.write(json.dumps(request).encode() + b"\n")
        warm.process.stdin.close()
    except OSError:  # it ended (killed or failed to start): start a new one
        _close(warm)
        return None
    _claimed.add(warm.process.pid)
    return warm.process


def run(warehouse: Path, target_path: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` on `warehouse` in a warm process of its own, waited for (the tests' dbt
    commands: the parse state is reused as in a refresh). `args` without the executable. It
    does not touch the refresh's warm process, so tests may call it from several threads."""
    from orchestration.settings import DBT_EXECUTABLE

    warm = _spawn(warehouse, target_path)
    command = [DBT_EXECUTABLE, *args]
    if not warm.matches(command, warm.env):
        _close(warm)
        raise ValueError(f"not a command for the warm dbt process: {args}")
    process = _hand_over(warm, command, dict(warm.env))
    if process is None:
        raise RuntimeError(f"the warm dbt process ended before it was handed {args}")
    return _finished(process, command)  # stdin was closed by the hand-over


def prepare(warehouse: Path, target_path: Path) -> subprocess.CompletedProcess[str]:
    """Parses the project for `warehouse` into `target_path` as a refresh's warm process does,
    keeps the parse state, and ends without a command: the dbt state a previous refresh leaves
    (`make bench` prepares each timed refresh so). A plain `dbt parse` does not do that: its
    parse state holds the warehouse's folder in the connection settings, which this process
    leaves out (_parse_state_without_warehouse_folder), so the next refresh's warm process would
    parse every file again (stockholm: ~5 s on one core, beside the loaders)."""
    warm = _spawn(warehouse, target_path)
    assert warm.process.stdin is not None
    warm.process.stdin.close()  # no command: it parses, keeps the state and ends
    return _finished(warm.process, warm.process.args)


def _finished(process: subprocess.Popen, args: Any) -> subprocess.CompletedProcess[str]:
    """A warm process whose stdin is closed, waited for: its output and exit code."""
    assert process.stdout is not None
    output = process.stdout.read()
    process.stdout.close()
    return subprocess.CompletedProcess(args, process.wait(), output.decode(), "")


def was_claimed(process: subprocess.Popen) -> bool:
    """Whether `process` is a warm process that ran a command handed to it."""
    return process.pid in _claimed


def stop() -> None:
    """Ends an unclaimed warm process (the refresh did not reach dbt)."""
    global _warm
    warm, _warm = _warm, None
    if warm is not None:
        _close(warm)


def _close(warm: Warm) -> None:
    """Ends a process that was not handed a command (it has not opened the warehouse: killing
    it loses nothing, and waiting for its parse would only delay the refresh's exit)."""
    if warm.process.poll() is None:
        warm.process.kill()
    warm.process.wait()
    for stream in (warm.process.stdin, warm.process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


# --- the child ---------------------------------------------------------------------------------

# dbt re-parses the whole project (~3,5 s on one core) when the connection settings differ from
# those its saved parse state (partial_parse.msgpack) was made with — and the warehouse's path is
# one of them, so every new warehouse (and every copy of one) started with a full parse. Nothing
# that dbt parses depends on the folder the warehouse file is in (the database name, its file
# name, is kept), so this process compares the settings without it, and a new warehouse starts
# from the last parse state of a warehouse with the same file name (dbt_project/target/
# parse_state/<name>.msgpack). dbt still re-parses every file whose contents changed, and all of
# them when dbt's version, the project file, the profile's other settings or --vars differ.
PARSE_STATE = "partial_parse.msgpack"


def _parse_state_without_warehouse_folder() -> None:
    import pprint

    from dbt.contracts.files import FileHash
    from dbt.parser.manifest import ManifestLoader

    build_state_check = ManifestLoader.build_manifest_state_check

    def state_check(self: ManifestLoader) -> object:
        state = build_state_check(self)
        settings = sorted(
            (key, os.path.basename(value) if key == "path" else value)
            for key, value in self.root_project.credentials.connection_info()
        )
        state.profile_hash = FileHash.from_contents(pprint.pformat(settings))
        return state

    ManifestLoader.build_manifest_state_check = state_check


# dbt turns every event into a protobuf message (with its text, time stamp and thread), and each
# of its loggers writes the message as a JSON line (message → dict → json.dumps) before the
# logger's level drops it; most events of a build are debug-level ones (each SQL statement,
# connection and cache step) that no logger of a refresh keeps: stdout (read by dagster-dbt) and
# target/dbt.log are at info. So a debug event is dropped here when no logger is at debug and no
# callback could want it. dbt always registers one callback, dbt.tracking's
# track_behavior_change_warn, which acts on BehaviorChangeEvent (a warning) only; counting it as
# a taker kept every debug event. Measured on the tiny profile: fire_event 9.7 → 1.0 s of the
# warm process's py-spy samples; the refresh's dbt build 10.1 → 7.8 s (medians of five runs).
def _skip_debug_events_nobody_reads() -> None:
    from dbt.tracking import track_behavior_change_warn
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager

    fire = EventManager.fire_event

    def fire_event(
        self: EventManager,
        e: Any,
        level: EventLevel | None = None,
        node: Any = None,
        force_warn_or_error_handling: bool = False,
    ) -> None:
        if (
            (level or e.level_tag()) == EventLevel.DEBUG
            and not force_warn_or_error_handling
            and all(callback is track_behavior_change_warn for callback in self.callbacks)
            and all(logger.level != EventLevel.DEBUG for logger in self.loggers)
        ):
            return
        fire(self, e, level, node, force_warn_or_error_handling)

    EventManager.fire_event = fire_event  # type: ignore[method-assign]


# Each dbt event also builds its protobuf message (ParseDict of its fields) when it is made,
# before fire_event can drop it (_skip_debug_events_nobody_reads): ~7 % of a tiny build's Python
# samples (py-spy, BaseEvent.__init__), mostly for debug events that are then dropped. Here an
# event keeps its arguments and builds the message the first time anything reads or sets one of
# its fields: the same message from the same arguments, and none for an event nobody reads.
def _build_event_messages_when_read() -> None:
    from dbt_common.events.base_types import BaseEvent

    build = BaseEvent.__init__
    read = BaseEvent.__getattr__
    write = BaseEvent.__setattr__

    def built(event: BaseEvent) -> None:
        pending = event.__dict__.get("_pending")
        if pending is not None:  # dropped only once the message is there (another thread
            build(event, *pending[0], **pending[1])  # reading meanwhile builds it too)
            event.__dict__.pop("_pending", None)

    def init(self: BaseEvent, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_pending", (args, kwargs))

    def getattr_(self: BaseEvent, key: str) -> Any:
        if "_pending" in self.__dict__:
            built(self)
            return getattr(self, key)
        return read(self, key)

    def setattr_(self: BaseEvent, key: str, value: Any) -> None:
        if key != "pb_msg":
            built(self)
        write(self, key, value)

    BaseEvent.__init__ = init  # type: ignore[method-assign]
    BaseEvent.__getattr__ = getattr_  # type: ignore[method-assign]
    BaseEvent.__setattr__ = setattr_  # type: ignore[method-assign]


# dbt's build loop takes every node off its priority queue as soon as the node is ready and
# queues it in its thread pool (first come, first served), so a long chain — household months →
# recipient months → … → period cells → kpi → rapport — waited behind whatever became ready
# before it, and the build ended with one thread busy (stockholm: 12 s of a 26,7 s build).
# Here the loop takes a node only when a thread is free, and the queue's priority is the length
# of the longest path from the node to the end of the graph (list scheduling by "bottom level";
# a model or seed counts 1, a test 1/4): the chain starts first, short branches fill the gaps.
# Which nodes run, and what each does, is unchanged — only the order.
#
# A node whose config has `meta: {run_alone: true}` runs with no other node beside it: it waits
# for the running ones to finish, and nothing starts until it is done. For one query that uses
# both cores and most of DuckDB's memory on its own (int_kpi_period_cells), a second query beside
# it only makes both spill to disk — measured on the national profile: the fan-out 164 s and
# int_staff_months 71 s side by side, 99 s and 11 s each alone.
#
# A node whose config has `meta: {heavy: true}` — one of the few queries that read or write the
# person-months or household-months whole — does not start while another heavy node runs. Two of
# them side by side each want both cores and much of the memory, and take longer together than
# one after the other — measured on the national profile's warehouse (plain DuckDB, 5 GB):
# int_recipient_months and fct_household_month one after the other 35,4–36,1 s, side by side
# 46,6 s; on stockholm's 1,8 s either way. Meanwhile the free thread takes the next ready node
# that is not heavy. (It used to take the heavy node and wait with it: on the national
# incremental refresh the second thread idled 5 s beside int_case_plan_months, while
# dim_person, ready from the start, ran last and ended the build.)
TEST_WEIGHT = 0.25
RUN_ALONE = "run_alone"
HEAVY = "heavy"


def _config(node: Any) -> Any:
    return getattr(node, "config", None)


def _meta(node: Any) -> dict:
    return getattr(_config(node), "meta", None) or {}


def runs_alone(node: Any) -> bool:
    """Whether a manifest node asks to run with no other node beside it."""
    return bool(_meta(node).get(RUN_ALONE))


def is_heavy(node: Any) -> bool:
    """Whether a manifest node asks not to run beside another heavy one."""
    return bool(_meta(node).get(HEAVY))


def bottom_levels(graph: Any) -> dict[str, float]:
    """Each node's longest path to the end of `graph` (a networkx DiGraph), itself included."""
    import networkx as nx

    level: dict[str, float] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        weight = TEST_WEIGHT if str(node).startswith("test.") else 1.0
        level[node] = weight + max((level[s] for s in graph.successors(node)), default=0.0)
    return level


def _schedule_longest_path_first() -> None:
    from dbt.graph.queue import GraphQueue
    from dbt.task.runnable import GraphRunnableTask

    def scores(self: GraphQueue, graph: Any) -> dict[str, float]:  # lower runs first
        return {node: -level for node, level in bottom_levels(graph).items()}

    get = GraphQueue.get
    run_queue = GraphRunnableTask.run_queue

    def alone(self: GraphQueue, unique_id: str) -> bool:
        return runs_alone(self.manifest.expect(unique_id))

    def heavy(self: GraphQueue, unique_id: str) -> bool:
        return is_heavy(self.manifest.expect(unique_id))

    def may_start(self: GraphQueue, threads: int) -> str | None:
        """The ready node to hand out now (caller holds the lock), or None: the one with the
        longest chain among those that may start beside the running ones — a heavy node is
        passed over while another heavy one runs; when the first one in line runs alone,
        nothing else starts and it waits for the running ones to finish."""
        running = self.in_progress
        if len(running) >= threads or any(alone(self, other) for other in running):
            return None
        heavy_runs = any(heavy(self, other) for other in running)
        with self.inner.mutex:
            ready = sorted(self.inner.queue)
        for _, unique_id in ready:
            if alone(self, unique_id):
                return None if running else unique_id
            if heavy_runs and heavy(self, unique_id):
                continue
            return unique_id
        return None

    def get_when_a_thread_is_free(
        self: GraphQueue, block: bool = True, timeout: float | None = None
    ) -> Any:
        threads = getattr(self, "threads", None)
        if not (threads and block and timeout is None):
            return get(self, block, timeout)
        with self.lock:  # mark_done() notifies some_task_done under this lock
            while (unique_id := may_start(self, threads)) is None:
                self.some_task_done.wait()
            with self.inner.mutex:  # taken off the ready queue as inner.get() would
                self.inner.queue.remove((self._scores[unique_id], unique_id))
                heapq.heapify(self.inner.queue)
            node = self.manifest.expect(unique_id)
            self._mark_in_progress(
                unique_id,
                is_microbatch=getattr(_config(node), "incremental_strategy", None) == "microbatch",
            )
        return node

    def run_queue_with_threads(self: GraphRunnableTask, pool: Any) -> None:
        if self.job_queue is not None:
            self.job_queue.threads = self.config.threads  # type: ignore[attr-defined]
        return run_queue(self, pool)

    GraphQueue._get_scores = scores  # type: ignore[method-assign,assignment]
    GraphQueue.get = get_when_a_thread_is_free  # type: ignore[method-assign]
    GraphRunnableTask.run_queue = run_queue_with_threads  # type: ignore[method-assign]


# Jinja compiles a template from its source every time dbt asks for one: each node's SQL when
# the node is compiled, each generic test's call, each macro the first time the build uses it —
# lexing, parsing, code generation and Python's compile(), in a new Environment each time. On
# the tiny profile that was ~9 % of the build's Python samples (py-spy: Environment.from_string
# under compile_node, the macro template cache and the tests' keyword rendering), all on the
# build's critical path. Here compiled code is kept per source (and per environment class,
# extensions and filters: what the parser and code generator read) and reused by every template
# made from that source; each template still gets its own globals, so what is rendered is
# unchanged. While the process waits for the loaders it compiles the project's macros and SQL
# ahead (_compile_ahead), stopping as soon as its command arrives.
_compiled: dict[tuple[Any, ...], Any] = {}


def _reuse_compiled_templates() -> None:
    from dbt_common.clients.jinja import MacroFuzzEnvironment

    compile_template = MacroFuzzEnvironment.compile

    def cached_compile(
        self: Any,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str):
            return compile_template(self, source, name, filename, raw, defer_init)
        key = (
            type(self),
            self.code_generator_class,
            tuple(self.extensions),
            tuple(sorted(self.filters)),
            source,
            name,
            filename,
            defer_init,
        )
        code = _compiled.get(key)
        if code is None:
            code = _compiled[key] = compile_template(self, source, name, filename, raw, defer_init)
        return code

    MacroFuzzEnvironment.compile = cached_compile  # type: ignore[method-assign,assignment]


# dbt turns the result of every query it fetches (a model's `describe`, a test's failures, a
# macro's run_query) into an agate table, and for each one builds a new agate TypeTester: seven
# data types, whose Date and DateTime each make a parsedatetime Calendar, compiling its regular
# expressions anew (parsedatetime Constants). On the tiny profile's incremental build that was
# 0,22 s of the 2,68 s its worker threads held the GIL (py-spy --gil). A TypeTester keeps no
# state between the tables it types (agate's TypeTester.run works on its arguments), so here
# one is built per (text-only columns, null values) and reused.
def _reuse_type_testers() -> None:
    import functools

    from dbt_common.clients import agate_helper

    build = agate_helper.build_type_tester

    @functools.lru_cache(maxsize=256)
    def cached(text_columns: tuple[str, ...], string_null_values: tuple[str, ...] | None) -> Any:
        return build(text_columns, string_null_values=string_null_values)

    def build_type_tester(text_columns: Any, string_null_values: Any = ("null", "")) -> Any:
        nulls = None if string_null_values is None else tuple(string_null_values)
        return cached(tuple(sorted(text_columns)), nulls)

    agate_helper.build_type_tester = build_type_tester


# Of the project's ~550 macros (423 of them dbt's own, 88 dbt-duckdb's) a build calls about a
# tenth; compiling all of them ahead took 2,35 s of the 2,9 s _compile_ahead (stockholm,
# measured on a slow machine), on the core the loaders' DuckDB queries could use. So each build
# records the macros it compiled (USED_MACROS in the warehouse's target folder, the union over
# its builds), and the next one compiles ahead just those; a macro not among them is compiled
# when the build first calls it, as dbt does. A warehouse's first build compiles all.
USED_MACROS = "warm_macros.json"
_used_macros: set[str] | None = None  # the macros compiled since the command arrived


def _record_used_macros() -> None:
    from dbt_common.clients.jinja import TemplateCache

    get_node_template = TemplateCache.get_node_template

    def recording(self: TemplateCache, node: Any) -> Any:
        if _used_macros is not None:
            unique_id = getattr(node, "unique_id", None)
            if isinstance(unique_id, str):
                _used_macros.add(unique_id)
        return get_node_template(self, node)

    TemplateCache.get_node_template = recording  # type: ignore[method-assign]


def _used_macros_file() -> Path:
    return Path(os.environ.get("DBT_TARGET_PATH", "target")) / USED_MACROS


def _read_used_macros() -> set[str] | None:
    """The macros earlier builds of this warehouse compiled, or None (not known: all)."""
    try:
        names = json.loads(_used_macros_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    return set(names)


def _write_used_macros(earlier: set[str] | None, known: Any) -> None:
    """The union of the earlier builds' macros and this one's, of those the manifest has."""
    if _used_macros is None:
        return
    names = sorted(n for n in (earlier or set()) | _used_macros if n in known)
    target = _used_macros_file()
    with contextlib.suppress(OSError):
        temporary = target.with_name(f".{target.name}.{os.getpid()}")
        temporary.write_text(json.dumps(names), encoding="utf-8")
        os.replace(temporary, target)


def _compile_ahead(manifest: Any, command_waiting: Any, macros: set[str] | None = None) -> int:
    """Compiles the manifest's macros (those named in `macros`, or all) and nodes' SQL until
    `command_waiting()`; how many."""
    from dbt.clients.jinja import _HAS_RENDER_CHARS_PAT
    from dbt_common.clients.jinja import get_environment, template_cache

    done = 0
    for unique_id, macro in manifest.macros.items():
        if macros is not None and unique_id not in macros:
            continue
        if command_waiting():
            return done
        with contextlib.suppress(Exception):  # the build reports what does not compile
            template_cache.get_node_template(macro)
            done += 1
    for node in manifest.nodes.values():
        sources = [(getattr(node, "raw_code", None), False)]
        metadata = getattr(node, "test_metadata", None)
        if metadata is not None:  # a generic test's arguments (dbt.clients.jinja)
            sources += [(text, True) for text in _test_argument_texts(metadata.kwargs)]
        for source, native in sources:
            if not isinstance(source, str) or not _HAS_RENDER_CHARS_PAT.search(source):
                continue
            if command_waiting():
                return done
            with contextlib.suppress(Exception):  # the build reports what does not compile
                get_environment(node, native=native).compile(source)
                done += 1
    return done


def _test_argument_texts(value: Any, keypath: tuple[Any, ...] = ()) -> Iterator[str]:
    """The texts dbt renders natively in a generic test's arguments (add_rendered_test_kwargs)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _test_argument_texts(item, (*keypath, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _test_argument_texts(item, (*keypath, index))
    elif isinstance(value, str) and keypath != ("column_name",):
        if re.match(r"^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$", value):
            value = f"{{{{ {value} }}}}"
        yield value


def _stdin_has_data() -> bool:
    import select

    return bool(select.select([sys.stdin], [], [], 0)[0])


def _parse_cache(parse_env: dict[str, str | None]) -> Path | None:
    """Where warehouses with this file name keep their latest parse state."""
    project, warehouse = parse_env.get("DBT_PROJECT_DIR"), parse_env.get(WAREHOUSE_ENV)
    if not project or not warehouse:
        return None
    return Path(project) / "target" / "parse_state" / f"{Path(warehouse).stem}.msgpack"


def _seed_parse_state(cache: Path | None) -> None:
    target = Path(os.environ.get("DBT_TARGET_PATH", "target")) / PARSE_STATE
    if cache is not None and cache.exists() and not target.exists():
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cache, target)


def _keep_parse_state(cache: Path | None) -> None:
    target = Path(os.environ.get("DBT_TARGET_PATH", "target")) / PARSE_STATE
    if cache is None or not target.exists():
        return
    with contextlib.suppress(OSError):  # a cache: another refresh may write it at the same time
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_name(f".{cache.name}.{os.getpid()}")
        shutil.copyfile(target, temporary)
        os.replace(temporary, cache)


def _serve() -> int:
    parse_env = {k: os.environ.get(k) for k in PARSE_ENV}
    # Nothing may reach stdout before the hand-over: dagster-dbt reads it as the build's log.
    saved_stdout = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    from dbt.cli.main import dbtRunner

    _parse_state_without_warehouse_folder()
    _skip_debug_events_nobody_reads()
    _build_event_messages_when_read()
    _schedule_longest_path_first()
    _reuse_compiled_templates()
    _reuse_type_testers()
    _record_used_macros()
    cache = _parse_cache(parse_env)
    _seed_parse_state(cache)
    try:
        parsed = dbtRunner().invoke(["parse", "--quiet", "--no-write-json"])
        _keep_parse_state(cache)
        manifest = parsed.result if parsed.success else None
    except Exception:  # the build then parses (and reports) itself
        manifest = None
    sys.stdout.flush()
    os.dup2(saved_stdout, 1)
    os.close(devnull)
    used_before = _read_used_macros()
    if manifest is not None:
        _compile_ahead(manifest, _stdin_has_data, used_before)

    line = sys.stdin.readline()
    if not line:  # the refresh ended before dbt
        return 0
    request = json.loads(line)
    args, env = request["args"], request["env"]
    os.environ.clear()
    os.environ.update(env)
    if any(env.get(k) != v for k, v in parse_env.items()):
        manifest = None
    if not request.get("write_manifest", True):
        _skip_manifest_artifact()
    global _used_macros
    _used_macros = set()
    result = dbtRunner(manifest=manifest).invoke(args)
    _checkpoint_warehouse()
    if result.success and manifest is not None:
        _write_used_macros(used_before, manifest.macros)
    sys.stdout.flush()
    if result.exception is not None:
        return 2
    return 0 if result.success else 1


# When a build's last node is done, dbt writes the whole manifest as JSON to manifest.json (and
# semantic_manifest.json) before run_results.json: ~0,8 s on one core (stockholm, py-spy: 0,79 s
# of the process's samples in Manifest.write), after the last node and before the process ends,
# so the refresh waits for it. Nothing reads the copy a refresh's build writes: the Dagster
# definitions read dbt_project/target/manifest.json (orchestration/project.py), the next build
# reuses partial_parse.msgpack, and `make bench` reads run_results.json. So a refresh's build
# writes run_results.json only; the tests' dbt commands (run()) write both, as plain dbt does.
def _skip_manifest_artifact() -> None:
    import dbt.task.runnable

    dbt.task.runnable.write_manifest = lambda *args, **kwargs: None  # type: ignore[assignment]


def _checkpoint_warehouse() -> None:
    """Write the build's last transactions from DuckDB's write-ahead log into the warehouse
    file before the process ends. dbt-duckdb keeps its database open to the end, and the exit
    below does not close it: the log (46 MB after a stockholm build) was then replayed by the
    next process that opened the warehouse — the refresh, right after dbt (0,3–0,6 s)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    conn = getattr(env, "conn", None)
    if conn is None:
        return
    with contextlib.suppress(Exception):  # e.g. a transaction left open by a failed build
        conn.execute("checkpoint")


def _main() -> None:
    """Serves one command, then exits without the interpreter's teardown (~0,8 s of freeing
    dbt's objects, which the refresh would wait for): by then dbt has written its artifacts and
    the warehouse is checkpointed (_checkpoint_warehouse)."""
    code = _serve()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()  # dbt's file log
    os._exit(code)


if __name__ == "__main__":
    _main()
