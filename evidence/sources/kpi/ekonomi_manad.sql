-- publish.duckdb names both the catalog and the schema "publish", so a bare
-- publish.ekonomi_manad is ambiguous in DuckDB; select the schema first.
set schema = 'publish';
select * from ekonomi_manad
