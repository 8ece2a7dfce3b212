-- publish.duckdb names both the catalog and the schema "publish", so a bare
-- publish.prognos_traffsakerhet is ambiguous in DuckDB; select the schema first.
set schema = 'publish';
select * from prognos_traffsakerhet
