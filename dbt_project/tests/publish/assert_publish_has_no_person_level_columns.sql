-- Nothing person-level is reachable from the publish schema (the only thing the pages read):
-- every relation there is a materialised table (no view reaching back into the warehouse), and
-- no column carries an identifier of a person, household, case, measure, employee or
-- respondent, a pseudonym, a birth date or an age.
-- It reads the catalogue, so it must run after every publish model is built: the refs below
-- make it depend on each of them (tests/dbt/test_dbt_project.py checks that none is missing).
-- In Dagster it is a check of publish.kpi, the table the pages are about.
-- depends_on: {{ ref('area') }}, {{ ref('datakvalitet') }}, {{ ref('datakvalitet_orsak') }}
-- depends_on: {{ ref('hushall_forsorjningshinder') }}, {{ ref('hushall_typ') }}
-- depends_on: {{ ref('indicator') }}, {{ ref('insats_manad') }}, {{ ref('insats_utfall') }}
-- depends_on: {{ ref('kpi') }}, {{ ref('period') }}, {{ ref('personal_enhet') }}
-- depends_on: {{ ref('synpunkter_redovisning') }}
-- depends_on: {{ ref('hushall_flode_tid') }}, {{ ref('ekonomi_manad') }}
-- depends_on: {{ ref('prognos_traffsakerhet') }}, {{ ref('rapport') }}

{{ config(meta={"dagster": {"ref": {"name": "kpi"}}}) }}

select table_name, null as column_name, 'not a table: ' || table_type as problem
from information_schema.tables
where table_schema = 'publish' and table_type <> 'BASE TABLE'

union all

select table_name, column_name, 'person-level column'
from information_schema.columns
where table_schema = 'publish'
    and regexp_matches(
        lower(column_name),
        '((^|_)person(_|$)|pseudonym|personnummer|hushall_id|household_id|arende|case_id|insats_id|measure_id|employee|anstallning_id|respondent|svar_id|response_id|birth|fodelse|age_at|alder)'
    )
