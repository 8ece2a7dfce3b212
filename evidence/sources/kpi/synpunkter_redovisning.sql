-- publish.duckdb names both the catalog and the schema "publish", so a bare
-- publish.synpunkter_redovisning is ambiguous in DuckDB; select the schema first.
-- The offline build cannot load a table with no rows (no parquet file is written for it), and
-- this export may be missing: then one placeholder row with area_code '' (no page selects it).
set schema = 'publish';
select * from synpunkter_redovisning
union all by name
select '' as area_code, cast(0 as integer) as year, false as is_suppressed
where not exists (select 1 from synpunkter_redovisning)
