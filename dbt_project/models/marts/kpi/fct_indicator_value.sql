-- The KPI fact table (spec: "The KPI fact table"): one row per indicator × area × year ×
-- period × gender. THE one place where observations fan out over periods, areas and genders;
-- every indicator is defined by its observations (int_kpi_observations) and its catalogue row
-- (aggregation, subject_agg, window, area_levels, population_based, kon_uppdelad).
--
--   value = numerator ÷ n_months        aggregation 'month_avg' (denominator = n_months)
--         = numerator ÷ denominator     aggregation 'ratio'
--         = numerator                   aggregation 'sum' (denominator null)
-- A subject contributes once per period (max) when subject_agg = 'max', else its rows add up.

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

observations as (

    select * from {{ ref('int_kpi_observations') }}

),

rollup as (

    select * from {{ ref('int_area_rollup') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

targets as (

    select * from {{ ref('targets') }}

),

-- 1. each observation into every reported period whose window holds its month
in_period as (

    select
        available.indicator_code,
        available.year,
        available.period,
        catalogue.subject_agg,
        observations.origin_level,
        observations.origin_code,
        observations.gender,
        observations.subject_id,
        observations.person_id,
        observations.numerator,
        observations.denominator
    from available
    inner join catalogue on catalogue.indicator_code = available.indicator_code
    inner join periods
        on periods.year = available.year and periods.period = available.period
    inner join observations
        on observations.indicator_code = available.indicator_code
        and observations.obs_month <= periods.last_month
        and observations.obs_month >= case catalogue.time_window
            when 'period' then periods.first_month
            when 'period_end' then periods.last_month
            when 'trailing_12' then cast(periods.last_month - interval 11 month as date)
        end
        and (observations.eligible_from is null
            or observations.eligible_from <= periods.period_end_date)

),

-- 2. into every area level above where it was recorded
in_area as (

    select in_period.*, rollup.area_level, rollup.area_code
    from in_period
    inner join rollup
        on rollup.origin_level = in_period.origin_level
        and rollup.origin_code = in_period.origin_code

),

-- 3. into 'alla' and, for indicators split by gender, the subject's own gender
in_gender as (

    select in_area.*, 'alla' as gender_group
    from in_area

    union all

    select in_area.*, in_area.gender as gender_group
    from in_area
    inner join catalogue on catalogue.indicator_code = in_area.indicator_code
    where catalogue.kon_uppdelad and in_area.gender is not null

),

-- 4. one contribution per subject and period
per_subject as (

    select
        indicator_code, year, period, area_level, area_code, gender_group, subject_id, person_id,
        case when subject_id is null or subject_agg = 'sum'
            then sum(numerator) else max(numerator) end as numerator,
        case when subject_id is null or subject_agg = 'sum'
            then sum(denominator) else max(denominator) end as denominator
    from in_gender
    group by indicator_code, year, period, area_level, area_code, gender_group, subject_id,
        person_id, subject_agg

),

aggregated as (

    select
        indicator_code, year, period, area_level, area_code, gender_group,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        count(distinct person_id) as n_individuals
    from per_subject
    group by indicator_code, year, period, area_level, area_code, gender_group

),

-- every reported combination gets a row, also when nothing was observed (a count of 0): the
-- areas, at the catalogue's levels, where the indicator counted some subject in some reported
-- period (any year; population rows do not make an area reached)
areas_in_scope as (

    select distinct in_area.indicator_code, in_area.area_level, in_area.area_code
    from in_area
    inner join catalogue on catalogue.indicator_code = in_area.indicator_code
    inner join areas
        on areas.area_level = in_area.area_level and areas.area_code = in_area.area_code
    where in_area.subject_id is not null
        and list_contains(string_split(catalogue.area_levels, ','), in_area.area_level)
        and (not catalogue.population_based or areas.has_population)

),

scaffold as (

    select available.indicator_code, available.year, available.period,
        areas_in_scope.area_level, areas_in_scope.area_code, genders.gender_group
    from available
    inner join areas_in_scope on areas_in_scope.indicator_code = available.indicator_code
    inner join catalogue on catalogue.indicator_code = available.indicator_code
    inner join (values ('alla'), ('kvinnor'), ('man')) as genders (gender_group)
        on genders.gender_group = 'alla' or catalogue.kon_uppdelad

),

valued as (

    select
        scaffold.indicator_code,
        scaffold.area_level,
        scaffold.area_code,
        scaffold.year,
        scaffold.period,
        scaffold.gender_group as gender,
        coalesce(aggregated.numerator, 0) as numerator,
        case catalogue.aggregation
            when 'month_avg' then cast(periods.n_months as double)
            -- nothing observed: 0; population-based: null while no population is delivered
            when 'ratio' then case when catalogue.population_based
                then aggregated.denominator else coalesce(aggregated.denominator, 0) end
        end as denominator,
        coalesce(aggregated.n_individuals, 0) as n_individuals,
        catalogue.aggregation,
        catalogue.riktning,
        catalogue.tolerans,
        periods.period_type
    from scaffold
    inner join catalogue on catalogue.indicator_code = scaffold.indicator_code
    inner join periods on periods.year = scaffold.year and periods.period = scaffold.period
    left join aggregated
        on aggregated.indicator_code = scaffold.indicator_code
        and aggregated.year = scaffold.year
        and aggregated.period = scaffold.period
        and aggregated.area_level = scaffold.area_level
        and aggregated.area_code = scaffold.area_code
        and aggregated.gender_group = scaffold.gender_group

),

with_value as (

    select
        valued.*,
        case aggregation
            when 'sum' then numerator
            else numerator / nullif(denominator, 0)
        end as value,
        n_individuals between 1 and {{ var('suppression_threshold') }} - 1 as is_suppressed
    from valued

),

with_comparisons as (

    select
        current_year.*,
        previous_year.value as previous_year_value,
        targets.target,
        targets.target_kf
    from with_value as current_year
    left join with_value as previous_year
        on previous_year.indicator_code = current_year.indicator_code
        and previous_year.area_level = current_year.area_level
        and previous_year.area_code = current_year.area_code
        and previous_year.gender = current_year.gender
        and previous_year.year = current_year.year - 1
        and previous_year.period = case current_year.period_type
            when 'tertial' then 'VB' else current_year.period end
    left join targets
        on targets.indicator_code = current_year.indicator_code
        and targets.year = current_year.year
        and targets.area_level = current_year.area_level
        and targets.area_code = current_year.area_code
        and current_year.gender = 'alla'

)

select
    cast(indicator_code as varchar) as indicator_code,
    cast(area_level as varchar) as area_level,
    cast(area_code as varchar) as area_code,
    cast(year as integer) as year,
    cast(period as varchar) as period,
    cast(gender as varchar) as gender,
    cast(value as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(n_individuals as bigint) as n_individuals,
    cast(target as double) as target,
    cast(target_kf as double) as target_kf,
    cast(previous_year_value as double) as previous_year_value,
    cast(
        case when not is_suppressed then {{ goal_status('value', 'target', 'riktning', 'tolerans') }} end
        as varchar
    ) as status,
    cast(is_suppressed as boolean) as is_suppressed

from with_comparisons
