{{ config(
    materialized="incremental",
    incremental_strategy="append",
    on_schema_change="fail",
    pre_hook="{{ delete_changed_kpi_cells() }}",
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
-- An observation with eligible_from counts only in periods ending on or after it (a subject's
-- observations of an indicator share one eligible_from: tests/kpi/assert_one_eligible_from_…).
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

    select indicator_code, year, input_fingerprint
    from fingerprints
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as built
        where built.indicator_code = fingerprints.indicator_code
            and built.year = fingerprints.year
    )
    {%- endif %}

),

rollup as (

    select * from {{ ref('int_area_rollup') }}

),

-- 1. every reported period with its window as a mask over (year before, year)
windows as (

    select
        available.indicator_code,
        available.year,
        available.period,
        periods.last_month,
        case catalogue.time_window
            when 'period' then
                ((cast(1 as bigint) << (month(periods.last_month) - month(periods.first_month) + 1)) - 1)
                    << (11 + month(periods.first_month))
            when 'period_end' then cast(1 as bigint) << (11 + month(periods.last_month))
            when 'trailing_12' then cast(4095 as bigint) << month(periods.last_month)
        end as window_mask
    from available
    inner join catalogue on catalogue.indicator_code = available.indicator_code
    inner join periods on periods.year = available.year and periods.period = available.period
    inner join to_build
        on to_build.indicator_code = available.indicator_code and to_build.year = available.year

),

-- 2. observations keyed by year with their month as a bit (trailing-12 ones also in the next year)
keyed as not materialized (

    select
        observations.*,
        catalogue.subject_agg,
        catalogue.kon_uppdelad,
        cast(date_trunc('month', observations.eligible_from) as date) as eligible_month,
        year(observations.obs_month) + shift.offset_years as key_year,
        cast(1 as bigint) << (month(observations.obs_month) - 1 + 12 * (1 - shift.offset_years))
            as month_bit
    from observations
    inner join catalogue on catalogue.indicator_code = observations.indicator_code
    inner join (values (0), (1)) as shift (offset_years)
        on shift.offset_years = 0 or catalogue.time_window = 'trailing_12'
    inner join to_build
        on to_build.indicator_code = observations.indicator_code
        and to_build.year = year(observations.obs_month) + shift.offset_years

),

-- where an origin's rows count: every area above the origin (int_area_rollup), for 'alla' and,
-- for indicators split by gender, the row's own gender. Every origin the roll-up knows, with
-- every gender a row may carry (kvinnor, man or none: tests/kpi/rules_int_kpi_observations)
-- and either split, rather than those the observations hold: finding those took a scan of
-- every observation (~1,6 s CPU on the stockholm profile), and an origin without rows joins
-- nothing below.
fan_targets as (

    select distinct
        origins.origin_level,
        origins.origin_code,
        origins.gender,
        origins.kon_uppdelad,
        rollup.area_level,
        rollup.area_code,
        genders.gender_group
    from (
        select distinct rollup.origin_level, rollup.origin_code, recorded.gender, split.kon_uppdelad
        from rollup
        cross join (values ('kvinnor'), ('man'), (null)) as recorded (gender)
        cross join (values (true), (false)) as split (kon_uppdelad)
    ) as origins
    inner join rollup
        on rollup.origin_level = origins.origin_level and rollup.origin_code = origins.origin_code
    inner join (values ('alla'), ('kvinnor'), ('man')) as genders (gender_group)
        on genders.gender_group = 'alla'
        or (origins.kon_uppdelad and genders.gender_group = origins.gender)

),

-- 3. first per origin (district or unit as recorded), which collapses a subject's months:
--    sums per month bit; subjects and persons with their masks, and in how many origin ×
--    gender combinations they occur that year (most: one)
origin_sums as (

    select
        indicator_code, key_year, month_bit, eligible_month, origin_level, origin_code, gender,
        kon_uppdelad,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from keyed
    where subject_id is null or subject_agg = 'sum'
    group by all

),

-- each subject (subject_agg max: masks of the months it counts 1 in the numerator and the
-- denominator) and each person (n_individuals: a mask of its observed months) per origin ×
-- gender, and in how many origin × gender combinations it occurs that year (most: one)
{%- set counted = [
    ('subject', 'subject_id', "subject_id is not null and subject_agg = 'max'", [
        ('numerator_mask', 'case when numerator = 1 then month_bit else 0 end'),
        ('denominator_mask', 'case when denominator = 1 then month_bit else 0 end')
    ]),
    ('person', 'person_id', 'person_id is not null', [('person_mask', 'month_bit')])
] %}
{% for who, id, rows, masks in counted %}
origin_{{ who }}s as (

    select
        indicator_code, key_year, eligible_month, origin_level, origin_code, gender,
        kon_uppdelad, {{ id }},
        {%- for mask, bit in masks %}
        bit_or({{ bit }}) as {{ mask }},
        {%- endfor %}
        count(*) over (
            partition by indicator_code, key_year, eligible_month, {{ id }}
        ) as combinations
    from keyed
    where {{ rows }}
    group by indicator_code, key_year, eligible_month, origin_level, origin_code, gender,
        kon_uppdelad, {{ id }}

),

{% endfor %}
-- 4. into every area and gender group (fan_targets), counted per distinct mask, so that the
--    period join sees few rows
sums as (

    select
        origin_sums.indicator_code, origin_sums.key_year, origin_sums.month_bit,
        origin_sums.eligible_month, fan_targets.area_level, fan_targets.area_code,
        fan_targets.gender_group,
        sum(origin_sums.numerator) as numerator,
        sum(origin_sums.denominator) as denominator
    from origin_sums
    inner join fan_targets on {{ fans_out('origin_sums') }}
    group by all

),

{% for who, id, rows, masks in counted %}
-- a subject or person seen in one origin × gender is counted per distinct mask in its origin
-- first (many per origin), then those counts are added up into the areas; the others are
-- fanned out one by one and OR-ed per area
{{ who }}_origin_counts as (

    select
        indicator_code, key_year, eligible_month, origin_level, origin_code, gender,
        kon_uppdelad, {{ masks | map('first') | join(', ') }}, count(*) as {{ who }}s
    from origin_{{ who }}s
    where combinations = 1
    group by all

),

{{ who }}_mask_counts as (

    select
        counts.indicator_code, counts.key_year, counts.eligible_month,
        fan_targets.area_level, fan_targets.area_code, fan_targets.gender_group,
        {%- for mask, _ in masks %}
        counts.{{ mask }},
        {%- endfor %}
        cast(sum(counts.{{ who }}s) as bigint) as {{ who }}s
    from {{ who }}_origin_counts as counts
    inner join fan_targets on {{ fans_out('counts') }}
    group by all

    union all

    select
        indicator_code, key_year, eligible_month, area_level, area_code, gender_group,
        {{ masks | map('first') | join(', ') }}, count(*)
    from (
        select
            spread.indicator_code, spread.key_year, spread.eligible_month,
            fan_targets.area_level, fan_targets.area_code, fan_targets.gender_group,
            spread.{{ id }},
            {%- for mask, _ in masks %}
            bit_or(spread.{{ mask }}) as {{ mask }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from origin_{{ who }}s as spread
        inner join fan_targets on {{ fans_out('spread') }}
        where spread.combinations > 1
        group by all
    ) as merged
    group by all

),
{% endfor %}

-- 5. into the reported periods whose window meets the months (and whose end is not before
--    the observation's eligible_from)
period_sums as (

    select
        windows.indicator_code, windows.year, windows.period,
        sums.area_level, sums.area_code, sums.gender_group,
        sum(sums.numerator) as numerator,
        sum(sums.denominator) as denominator
    from windows
    inner join sums
        on sums.indicator_code = windows.indicator_code
        and sums.key_year = windows.year
        and (sums.month_bit & windows.window_mask) <> 0
        and (sums.eligible_month is null or sums.eligible_month <= windows.last_month)
    group by all

),

period_subjects as (

    select
        windows.indicator_code, windows.year, windows.period,
        counts.area_level, counts.area_code, counts.gender_group,
        sum(counts.subjects) filter (where (counts.numerator_mask & windows.window_mask) <> 0)
            as numerator_subjects,
        sum(counts.subjects) filter (where (counts.denominator_mask & windows.window_mask) <> 0)
            as denominator_subjects
    from windows
    inner join subject_mask_counts as counts
        on counts.indicator_code = windows.indicator_code
        and counts.key_year = windows.year
        and (counts.eligible_month is null or counts.eligible_month <= windows.last_month)
    group by all

),

period_persons as (

    select
        windows.indicator_code, windows.year, windows.period,
        counts.area_level, counts.area_code, counts.gender_group,
        sum(counts.persons) as n_individuals
    from windows
    inner join person_mask_counts as counts
        on counts.indicator_code = windows.indicator_code
        and counts.key_year = windows.year
        and (counts.person_mask & windows.window_mask) <> 0
        and (counts.eligible_month is null or counts.eligible_month <= windows.last_month)
    group by all

),

cells as (

    select indicator_code, year, period, area_level, area_code, gender_group from period_sums
    union
    select indicator_code, year, period, area_level, area_code, gender_group from period_subjects
    union
    select indicator_code, year, period, area_level, area_code, gender_group from period_persons

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
    left join period_sums using (indicator_code, year, period, area_level, area_code, gender_group)
    left join period_subjects
        using (indicator_code, year, period, area_level, area_code, gender_group)
    left join period_persons
        using (indicator_code, year, period, area_level, area_code, gender_group)

)

select
    cast(aggregated.indicator_code as varchar) as indicator_code,
    cast(aggregated.year as integer) as year,
    cast(aggregated.period as varchar) as period,
    cast(aggregated.area_level as varchar) as area_level,
    cast(aggregated.area_code as varchar) as area_code,
    cast(aggregated.gender_group as varchar) as gender,
    cast(aggregated.numerator as decimal(38, 4)) as numerator,
    cast(aggregated.denominator as decimal(38, 4)) as denominator,
    cast(aggregated.n_individuals as bigint) as n_individuals,
    cast(to_build.input_fingerprint as varchar) as input_fingerprint
from aggregated
inner join to_build
    on to_build.indicator_code = aggregated.indicator_code and to_build.year = aggregated.year
