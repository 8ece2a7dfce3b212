-- publish.duckdb names both the catalog and the schema "publish", so a bare
-- publish.datakvalitet is ambiguous in DuckDB; select the schema first.
-- The loader writes UTC; the page shows Swedish time. Converted here, in native DuckDB,
-- because the pages' duckdb-wasm has no time-zone support (icu).
set schema = 'publish';
select
    * exclude (levererad, inlast),
    timezone('Europe/Stockholm', timezone('UTC', levererad)) as levererad,
    timezone('Europe/Stockholm', timezone('UTC', inlast)) as inlast
from datakvalitet
