-- The rules of int_kpi_observations (a view), on which fct_indicator_value's
-- counting relies. One row per broken rule with the rows (or subjects) that break it:
--   subject_for_person  a row with a person has a subject (n_individuals counts persons of
--                       counted subjects);
--   counted_once        a subject of a subject_agg = 'max' indicator is counted once per period
--                       by the months in which it contributes 1 (bit masks), so its rows must
--                       contribute 0 or 1 (or nothing) to numerator and denominator; population
--                       rows (no subject) are summed;
--   one_eligible_from   observations with different eligible_from are matched with different
--                       periods, so a subject or a person must not have observations of one
--                       indicator with different eligible_from dates — they would count twice in
--                       a period where both have passed.

{{ config(
    fail_calc="coalesce(sum(failing_rows), 0)",
    meta={"dagster": {"ref": {"name": "int_kpi_observations"}}},
) }}

with

dated as (

    select distinct indicator_code
    from {{ ref('int_kpi_observations') }}
    where eligible_from is not null

),

broken as (

    select 'subject_for_person' as rule, count(*) as failing_rows
    from {{ ref('int_kpi_observations') }}
    where subject_id is null and person_id is not null

    union all

    select 'counted_once', count(*)
    from {{ ref('int_kpi_observations') }} as observations
    inner join {{ ref('indicators') }} as catalogue
        on catalogue.indicator_code = observations.indicator_code
    where catalogue.subject_agg = 'max'
        and observations.subject_id is not null
        and (coalesce(observations.numerator, 0) not in (0, 1)
            or coalesce(observations.denominator, 0) not in (0, 1))

    union all

    -- more than one distinct eligible_from (null as a date of its own) ⟺ min and max differ;
    -- only possible in an indicator where some row has an eligible_from
    select 'one_eligible_from (subject)', count(*)
    from (
        select 1
        from {{ ref('int_kpi_observations') }}
        where subject_id is not null and indicator_code in (select indicator_code from dated)
        group by indicator_code, subject_id
        having min(coalesce(eligible_from, date '1900-01-01'))
            <> max(coalesce(eligible_from, date '1900-01-01'))
    )

    union all

    select 'one_eligible_from (person)', count(*)
    from (
        select 1
        from {{ ref('int_kpi_observations') }}
        where person_id is not null and indicator_code in (select indicator_code from dated)
        group by indicator_code, person_id
        having min(coalesce(eligible_from, date '1900-01-01'))
            <> max(coalesce(eligible_from, date '1900-01-01'))
    )
)

select rule, failing_rows
from broken
where failing_rows > 0
