-- publish.duckdb names both the catalog and the schema "publish", so a bare
-- publish.hushall_flode_tid is ambiguous in DuckDB; select the schema first.
set schema = 'publish';
select * from hushall_flode_tid
