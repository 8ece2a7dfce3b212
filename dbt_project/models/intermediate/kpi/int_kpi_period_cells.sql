{{ config(
    materialized="incremental",
    incremental_strategy="append",
    on_schema_change="fail",
    pre_hook="{{ delete_changed_kpi_rows(ref('int_kpi_input_fingerprints')) }}",
    meta={"run_alone": true},
) }}

-- The period × area × gender fan-out of the KPI observations (spec: "The KPI fact table"): one
-- row per indicator, year, reported period, area (every level the area roll-up reaches) and
-- gender group where something was observed, with the summed numerator and denominator and the
-- number of distinct people. THE one place where observations fan out; fct_indicator_value
-- adds the rows where nothing was observed, the value, targets, status and suppression.
--
--   numerator       sums of the observations' numerators; for subject_agg 'max' the number of
--                   subjects contributing 1 in some month of the period's window
--   denominator     likewise (null when no observation has one)
--   n_individuals   persons whose observed months meet the window
-- A subject contributes once per period (max) when subject_agg = 'max', else its rows add up.
--
-- How, without copying every observation into every period × area × gender (which does not
-- scale to tens of millions of person-months): an observation's month is a bit in a 24-bit mask
-- keyed by year — bits 12–23 are the months of the key year, bits 0–11 those of the year before
-- (used by trailing-12 windows, whose observations are keyed to their own and the next year).
-- A period's window is a mask too, and "in the window" is `mask & window_mask <> 0`.
--   sums        numerators/denominators that add up (subject_agg sum, and population rows) are
--               summed per month bit, then over the window's bits;
--   subjects    for subject_agg max (contributions 0 or 1) each subject keeps two masks — the
--               months it contributes 1 to the numerator / denominator — OR-ed over the areas'
--               origins, and counts once when its mask meets the window;
--   persons     n_individuals counts persons whose mask of observed months meets the window.
-- Masks are OR-ed per area (a person in two districts counts in each, once in the city) and
-- then counted per distinct mask, so the period join works on a few rows per area.
-- It runs with no other dbt node beside it (meta run_alone, orchestration/dbt_warm.py): it uses
-- both cores and most of DuckDB's memory on its own.
-- The big aggregations group by integer keys (indicator; origin with the row's gender; target
-- area and gender group), not by the codes: measured on the national profile, grouping ~40 M
-- person masks by five strings and a flag spilled to disk and took 103 of the query's 183 s
-- (CPU), by three integers, a date and the person 37 s (the query 101 s wall instead of 183 s).
-- An observation with eligible_from counts only in periods ending on or after it (a subject's
-- observations of an indicator share one eligible_from: tests/kpi/rules_int_kpi_observations).
--
-- Incremental by (indicator, year): the cells of a year depend only on that year's reported
-- periods and the observations keyed to it (int_kpi_input_fingerprints). The pre-hook deletes
-- the cells whose fingerprint changed; this query computes every (indicator, year) that then
-- has no cells — after a new month, the current year (and one whose inputs were re-delivered).

with

catalogue as (

    select * from {{ ref('indicators') }}

),

available as (

    select * from {{ ref('int_kpi_available_periods') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

-- not materialized, here and in `keyed`: each part below reads them once, and DuckDB would
-- otherwise write these rows (~100 M on the national profile) to a temporary table that
-- spills to disk — measured: 157 s to write and 430 s to read back, of a 481 s query
observations as not materialized (

    select * from {{ ref('int_kpi_observations') }}
    {%- if is_incremental() %}
    -- only the years the (indicator, year) pairs to compute read (macros/incremental.sql)
    where {{ kpi_observations_to_read() }}
    {%- endif %}

),

fingerprints as (

    select * from {{ ref('int_kpi_input_fingerprints') }}

),

-- the (indicator, year) pairs to compute: all in a full build; else those without cells
to_build as (

    {{ kpi_years_to_build() }}

),

rollup as (

    select * from {{ ref('int_area_rollup') }}

),

-- the integer keys the big aggregations group by (see the top); the codes come back from
-- these tables at the end
indicator_keys as (

    select
        indicator_code,
        subject_agg,
        kon_uppdelad,
        time_window,
        cast(row_number() over (order by indicator_code) as integer) as indicator_key
    from catalogue

),

-- every origin the roll-up knows with every gender a row may carry (kvinnor, man or none:
-- tests/kpi/rules_int_kpi_observations); a row whose origin the roll-up does not know counts
-- nowhere (it had no fan target before it had a key)
origin_keys as (

    select
        origins.origin_level,
        origins.origin_code,
        recorded.gender,
        cast(row_number() over (
            order by origins.origin_level, origins.origin_code, recorded.gender
        ) as integer) as origin_key
    from (select distinct origin_level, origin_code from rollup) as origins
    cross join (values ('kvinnor'), ('man'), (null)) as recorded (gender)

),

-- where an indicator's rows of an origin count: every area above the origin (int_area_rollup),
-- as a target key for 'alla' and, for indicators split by gender, the row's own gender
targets as (

    select
        areas.area_level,
        areas.area_code,
        genders.gender_group,
        cast(row_number() over (
            order by areas.area_level, areas.area_code, genders.gender_group
        ) as integer) as target_key
    from (select distinct area_level, area_code from rollup) as areas
    cross join (values ('alla'), ('kvinnor'), ('man')) as genders (gender_group)

),

fan_targets as (

    select
        indicator_keys.indicator_key,
        origin_keys.origin_key,
        targets.target_key
    from indicator_keys
    cross join origin_keys
    inner join rollup
        on rollup.origin_level = origin_keys.origin_level
        and rollup.origin_code = origin_keys.origin_code
    inner join targets
        on targets.area_level = rollup.area_level
        and targets.area_code = rollup.area_code
        and (targets.gender_group = 'alla'
            or (indicator_keys.kon_uppdelad and targets.gender_group = origin_keys.gender))

),

-- 1. every reported period with its window as a mask over (year before, year)
windows as (

    select
        indicator_keys.indicator_key,
        available.year,
        available.period,
        periods.last_month,
        case indicator_keys.time_window
            when 'period' then
                ((cast(1 as bigint) << (month(periods.last_month) - month(periods.first_month) + 1)) - 1)
                    << (11 + month(periods.first_month))
            when 'period_end' then cast(1 as bigint) << (11 + month(periods.last_month))
            when 'trailing_12' then cast(4095 as bigint) << month(periods.last_month)
        end as window_mask
    from available
    inner join indicator_keys on indicator_keys.indicator_code = available.indicator_code
    inner join periods on periods.year = available.year and periods.period = available.period
    inner join to_build
        on to_build.indicator_code = available.indicator_code and to_build.year = available.year

),

-- 2. observations keyed by year with their month as a bit (trailing-12 ones also in the next
--    year). key_years says, per indicator to compute, which calendar year of observations
--    feeds which key year and at which bit the months start: one small table, so each of the
--    ~150 M observation rows (national profile) meets one hash join here instead of three
--    (indicator, shift, to_build; measured: the fan-out 61,6 → 55,7 s)
key_years as (

    select
        indicator_keys.indicator_code,
        indicator_keys.indicator_key,
        indicator_keys.subject_agg,
        to_build.year as key_year,
        to_build.year - shift.offset_years as obs_year,
        12 * (1 - shift.offset_years) - 1 as bit_offset
    from indicator_keys
    inner join to_build on to_build.indicator_code = indicator_keys.indicator_code
    inner join (values (0), (1)) as shift (offset_years)
        on shift.offset_years = 0 or indicator_keys.time_window = 'trailing_12'

),

keyed as not materialized (

    select
        key_years.indicator_key,
        origin_keys.origin_key,
        observations.subject_id,
        observations.person_id,
        observations.numerator,
        observations.denominator,
        key_years.subject_agg,
        cast(date_trunc('month', observations.eligible_from) as date) as eligible_month,
        cast(key_years.key_year as integer) as key_year,
        cast(1 as bigint) << (month(observations.obs_month) + key_years.bit_offset) as month_bit
    from observations
    inner join key_years
        on key_years.indicator_code = observations.indicator_code
        and key_years.obs_year = year(observations.obs_month)
    inner join origin_keys
        on origin_keys.origin_level = observations.origin_level
        and origin_keys.origin_code = observations.origin_code
        and origin_keys.gender is not distinct from observations.gender

),

-- 3. first per origin (district or unit as recorded, with the row's gender), which collapses a
--    subject's months: sums per month bit; subjects and persons with their masks, and in how
--    many origins they occur that year (most: one)
origin_sums as (

    select
        indicator_key, key_year, month_bit, eligible_month, origin_key,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from keyed
    where subject_id is null or subject_agg = 'sum'
    group by all

),

-- each subject (subject_agg max: masks of the months it counts 1 in the numerator and the
-- denominator) and each person (n_individuals: a mask of its observed months) per origin, and
-- in how many origins it occurs that year (most: one)
{%- set counted = [
    ('subject', 'subject_id', "subject_id is not null and subject_agg = 'max'", [
        ('numerator_mask', 'case when numerator = 1 then month_bit else 0 end'),
        ('denominator_mask', 'case when denominator = 1 then month_bit else 0 end')
    ]),
    ('person', 'person_id', 'person_id is not null', [('person_mask', 'month_bit')])
] %}
{% for who, id, rows, masks in counted %}
origin_{{ who }}s as materialized (

    select
        indicator_key, key_year, eligible_month, origin_key, {{ id }},
        {%- for mask, bit in masks %}
        bit_or({{ bit }}) as {{ mask }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from keyed
    where {{ rows }}
    group by all

),

-- those in more than one origin that year (few)
spread_{{ who }}s as (

    select indicator_key, key_year, eligible_month, {{ id }}
    from origin_{{ who }}s
    group by all
    having count(*) > 1

),

{% endfor %}
-- 4. into every area and gender group (fan_targets), counted per distinct mask, so that the
--    period join sees few rows
sums as (

    select
        origin_sums.indicator_key, origin_sums.key_year, origin_sums.month_bit,
        origin_sums.eligible_month, fan_targets.target_key,
        sum(origin_sums.numerator) as numerator,
        sum(origin_sums.denominator) as denominator
    from origin_sums
    inner join fan_targets on {{ fans_out('origin_sums') }}
    group by all

),

{% for who, id, rows, masks in counted %}
{%- set in_multi -%}
    multi.indicator_key = one.indicator_key
        and multi.key_year = one.key_year
        and multi.eligible_month is not distinct from one.eligible_month
        and multi.{{ id }} = one.{{ id }}
{%- endset %}
-- a subject or person seen in one origin is counted per distinct mask in its origin first
-- (many per origin), then those counts are added up into the areas; the others are fanned
-- out one by one and OR-ed per area
{{ who }}_origin_counts as (

    select
        indicator_key, key_year, eligible_month, origin_key,
        {{ masks | map('first') | join(', ') }}, count(*) as {{ who }}s
    from origin_{{ who }}s as one
    anti join spread_{{ who }}s as multi on {{ in_multi }}
    group by all

),

{{ who }}_mask_counts as (

    select
        counts.indicator_key, counts.key_year, counts.eligible_month, fan_targets.target_key,
        {%- for mask, _ in masks %}
        counts.{{ mask }},
        {%- endfor %}
        cast(sum(counts.{{ who }}s) as bigint) as {{ who }}s
    from {{ who }}_origin_counts as counts
    inner join fan_targets on {{ fans_out('counts') }}
    group by all

    union all

    select
        indicator_key, key_year, eligible_month, target_key,
        {{ masks | map('first') | join(', ') }}, count(*)
    from (
        select
            one.indicator_key, one.key_year, one.eligible_month,
            fan_targets.target_key, one.{{ id }},
            {%- for mask, _ in masks %}
            bit_or(one.{{ mask }}) as {{ mask }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from origin_{{ who }}s as one
        semi join spread_{{ who }}s as multi on {{ in_multi }}
        inner join fan_targets on {{ fans_out('one') }}
        group by all
    ) as merged
    group by all

),
{% endfor %}

-- 5. into the reported periods whose window meets the months (and whose end is not before
--    the observation's eligible_from)
period_sums as (

    select
        windows.indicator_key, windows.year, windows.period, sums.target_key,
        sum(sums.numerator) as numerator,
        sum(sums.denominator) as denominator
    from windows
    inner join sums
        on sums.indicator_key = windows.indicator_key
        and sums.key_year = windows.year
        and (sums.month_bit & windows.window_mask) <> 0
        and (sums.eligible_month is null or sums.eligible_month <= windows.last_month)
    group by all

),

period_subjects as (

    select
        windows.indicator_key, windows.year, windows.period, counts.target_key,
        sum(counts.subjects) filter (where (counts.numerator_mask & windows.window_mask) <> 0)
            as numerator_subjects,
        sum(counts.subjects) filter (where (counts.denominator_mask & windows.window_mask) <> 0)
            as denominator_subjects
    from windows
    inner join subject_mask_counts as counts
        on counts.indicator_key = windows.indicator_key
        and counts.key_year = windows.year
        and (counts.eligible_month is null or counts.eligible_month <= windows.last_month)
    group by all

),

period_persons as (

    select
        windows.indicator_key, windows.year, windows.period, counts.target_key,
        sum(counts.persons) as n_individuals
    from windows
    inner join person_mask_counts as counts
        on counts.indicator_key = windows.indicator_key
        and counts.key_year = windows.year
        and (counts.person_mask & windows.window_mask) <> 0
        and (counts.eligible_month is null or counts.eligible_month <= windows.last_month)
    group by all

),

cells as (

    select indicator_key, year, period, target_key from period_sums
    union
    select indicator_key, year, period, target_key from period_subjects
    union
    select indicator_key, year, period, target_key from period_persons

),

aggregated as (

    select
        cells.*,
        coalesce(period_sums.numerator, 0) + coalesce(period_subjects.numerator_subjects, 0)
            as numerator,
        case
            when period_sums.denominator is null
                and coalesce(period_subjects.denominator_subjects, 0) = 0 then null
            else coalesce(period_sums.denominator, 0)
                + coalesce(period_subjects.denominator_subjects, 0)
        end as denominator,
        coalesce(period_persons.n_individuals, 0) as n_individuals
    from cells
    left join period_sums using (indicator_key, year, period, target_key)
    left join period_subjects using (indicator_key, year, period, target_key)
    left join period_persons using (indicator_key, year, period, target_key)

)

select
    cast(indicator_keys.indicator_code as varchar) as indicator_code,
    cast(aggregated.year as integer) as year,
    cast(aggregated.period as varchar) as period,
    cast(targets.area_level as varchar) as area_level,
    cast(targets.area_code as varchar) as area_code,
    cast(targets.gender_group as varchar) as gender,
    cast(aggregated.numerator as decimal(38, 4)) as numerator,
    cast(aggregated.denominator as decimal(38, 4)) as denominator,
    cast(aggregated.n_individuals as bigint) as n_individuals,
    cast(to_build.input_fingerprint as varchar) as input_fingerprint
from aggregated
inner join indicator_keys on indicator_keys.indicator_key = aggregated.indicator_key
inner join targets on targets.target_key = aggregated.target_key
inner join to_build
    on to_build.indicator_code = indicator_keys.indicator_code
    and to_build.year = aggregated.year
