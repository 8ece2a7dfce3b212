-- publish.duckdb names both the catalog and the schema "publish", so a bare
-- publish.refresh_runs is ambiguous in DuckDB; select the schema first.
-- The run log is in UTC; the page shows Swedish time, as text 'YYYY-MM-DD HH:MM' (sorts like
-- the time). Done here in native DuckDB: the pages' duckdb-wasm has no time zones (icu), and
-- a time column that is empty in every row (finished_at of a first run) cannot be loaded as a
-- date by the offline build.
set schema = 'publish';
select
    * exclude (started_at, published_at, finished_at),
    strftime(timezone('Europe/Stockholm', timezone('UTC', started_at)), '%Y-%m-%d %H:%M')
        as started_at,
    strftime(timezone('Europe/Stockholm', timezone('UTC', published_at)), '%Y-%m-%d %H:%M')
        as published_at,
    strftime(timezone('Europe/Stockholm', timezone('UTC', finished_at)), '%Y-%m-%d %H:%M')
        as finished_at
from refresh_runs
