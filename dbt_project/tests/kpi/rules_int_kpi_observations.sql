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

-- Two passes over the view (it is computed anew by every reader): the row rules in one, the
-- eligible_from rule for subjects and persons in one aggregation with two grouping sets.

with

-- not materialized: a view of millions of rows (the national profile's would spill to disk)
observations as not materialized (

    select * from {{ ref('int_kpi_observations') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

dated as (

    select distinct indicator_code
    from observations
    where eligible_from is not null

),

row_rules as (

    select
        count(*) filter (
            where observations.subject_id is null and observations.person_id is not null
        ) as subject_for_person,
        count(*) filter (
            where catalogue.subject_agg = 'max'
                and observations.subject_id is not null
                and (coalesce(observations.numerator, 0) not in (0, 1)
                    or coalesce(observations.denominator, 0) not in (0, 1))
        ) as counted_once,
        count(*) filter (
            where observations.gender is not null and observations.gender not in ('kvinnor', 'man')
        ) as known_gender
    from observations
    left join catalogue on catalogue.indicator_code = observations.indicator_code

),

-- more than one distinct eligible_from (null as a date of its own) ⟺ min and max differ;
-- only possible in an indicator where some row has an eligible_from
eligible_from_per as (

    select
        grouping(subject_id) = 0 as per_subject,
        subject_id,
        person_id
    from observations
    where indicator_code in (select indicator_code from dated)
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
