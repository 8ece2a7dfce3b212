-- The rules of int_kpi_observations (a view), on which fct_indicator_value's
-- counting relies. One row per broken rule with the rows (or subjects) that break it:
--   subject_for_person  a row with a person has a subject (n_individuals counts persons of
--                       counted subjects);
--   counted_once        a subject of a subject_agg = 'max' indicator is counted once per period
--                       by the months in which it contributes 1 (bit masks), so its rows must
--                       contribute 0 or 1 (or nothing) to numerator and denominator; population
--                       rows (no subject) are summed;
--   known_gender        a row's gender is kvinnor, man or none: int_kpi_period_cells fans out
--                       the origins of the roll-up with exactly these genders;
--   one_eligible_from   observations with different eligible_from are matched with different
--                       periods, so a subject or a person must not have observations of one
--                       indicator with different eligible_from dates — they would count twice in
--                       a period where both have passed.

{{ config(
    fail_calc="coalesce(sum(failing_rows), 0)",
    meta={"dagster": {"ref": {"name": "int_kpi_observations"}}},
) }}

-- Where this check gates the build: dbt runs a test before every model whose upstream holds all
-- the test's parents. With int_kpi_observations its only parent, that was the fan-out's own
-- inputs (int_kpi_input_fingerprints, int_kpi_period_cells), so the fan-out waited for two
-- full passes over the view (measured on the national profile: 30 s for this check and 18 s
-- for the fingerprints, one after the other). The seed of targets is a parent of
-- fct_indicator_value, the first model with published figures, and of nothing before it: the
-- check runs beside the fan-out and still gates every figure that is published.
-- depends_on: {{ ref('targets') }}

-- The row rules come from int_kpi_observation_years, which counts the rows breaking them in
-- the one pass the fingerprints need too (a pass over the view took ~30 s on the national
-- profile, and this check made three). The rule over a subject's or a person's rows reads the
-- view again, but only the indicators that have an eligible_from at all (a list given to the
-- query, which DuckDB pushes into the view's parts: a fraction of the rows).
{%- set summary = load_relation(ref('int_kpi_observation_years')) if execute else none %}
{%- if summary is not none %}
    {%- set found = run_query(
        "select distinct indicator_code from " ~ summary ~ " where n_eligible_from > 0 order by 1"
    ) %}
    {%- set dated = found.columns[0].values() | list %}
{%- endif %}

with

observations as (

    select * from {{ ref('int_kpi_observations') }}
    {%- if summary is not none %}
    where indicator_code in ({{ string_list(dated) }})
    {%- else %}
    -- compiled before the summary exists (e.g. dbt compile on an empty warehouse)
    where indicator_code in (
        select indicator_code from {{ ref('int_kpi_observation_years') }} where n_eligible_from > 0
    )
    {%- endif %}

),

observation_years as (

    select * from {{ ref('int_kpi_observation_years') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

row_rules as (

    select
        coalesce(sum(observation_years.n_person_without_subject), 0) as subject_for_person,
        coalesce(sum(observation_years.n_subject_not_0_or_1) filter (
            where catalogue.subject_agg = 'max'
        ), 0) as counted_once,
        coalesce(sum(observation_years.n_unknown_gender), 0) as known_gender
    from observation_years
    left join catalogue on catalogue.indicator_code = observation_years.indicator_code

),

-- more than one distinct eligible_from (null as a date of its own) ⟺ min and max differ;
-- only possible in an indicator where some row has an eligible_from
eligible_from_per as (

    select
        grouping(subject_id) = 0 as per_subject,
        subject_id,
        person_id
    from observations
    group by grouping sets ((indicator_code, subject_id), (indicator_code, person_id))
    having min(coalesce(eligible_from, date '1900-01-01'))
        <> max(coalesce(eligible_from, date '1900-01-01'))

),

broken as (

    select 'subject_for_person' as rule, subject_for_person as failing_rows from row_rules
    union all
    select 'counted_once', counted_once from row_rules
    union all
    select 'known_gender', known_gender from row_rules
    union all
    select 'one_eligible_from (subject)', count(*) from eligible_from_per
    where per_subject and subject_id is not null
    union all
    select 'one_eligible_from (person)', count(*) from eligible_from_per
    where not per_subject and person_id is not null

)

select rule, failing_rows
from broken
where failing_rows > 0
