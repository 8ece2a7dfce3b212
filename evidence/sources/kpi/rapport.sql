-- The tertial report (publish.rapport): per area, year and tertial the goal hierarchy, one row
-- per indicator under its nämndmål, and the goal judgements. Read as it is by the Rapport page.
-- publish.duckdb names both the catalog and the schema "publish": select the schema first.
set schema = 'publish';
select * from rapport
