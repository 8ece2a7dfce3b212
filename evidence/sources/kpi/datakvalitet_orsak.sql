-- publish.duckdb names both the catalog and the schema "publish", so a bare
-- publish.datakvalitet_orsak is ambiguous in DuckDB; select the schema first.
-- No rejected rows is the normal case, but the offline build cannot load a table with no rows
-- (no parquet file is written for it): then one placeholder row with antal_rader = 0, which
-- the data-quality page leaves out (it shows antal_rader > 0 only).
set schema = 'publish';
select * from datakvalitet_orsak
union all by name
select false as ar_aktuell, cast(0 as bigint) as antal_rader
where not exists (select 1 from datakvalitet_orsak)
