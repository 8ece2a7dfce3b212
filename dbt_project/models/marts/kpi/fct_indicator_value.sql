-- The KPI fact table (spec: "The KPI fact table"): one row per indicator × area × year ×
-- period × gender. The observations' fan-out over periods, areas and genders is
-- int_kpi_period_cells (incremental by indicator and year); here every reported combination
-- gets its row, also where nothing was observed, with its value from the catalogue row:
--
--   value = numerator ÷ n_months        aggregation 'month_avg' (denominator = n_months)
--         = numerator ÷ denominator     aggregation 'ratio'
--         = numerator                   aggregation 'sum' (denominator null)
--
-- and the previous year's value, the targets, the status and the suppression flag.

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

cells as (

    select * from {{ ref('int_kpi_period_cells') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

targets as (

    select * from {{ ref('targets') }}

),

-- every reported combination gets a row, also when nothing was observed (a count of 0): the
-- areas, at the catalogue's levels, where the indicator counted some subject in some reported
-- period (any year; population rows do not make an area reached) — or, for the amounts that
-- rest on no subject (budget), recorded a non-zero amount
areas_in_scope as (

    select distinct cells.indicator_code, cells.area_level, cells.area_code
    from cells
    inner join catalogue on catalogue.indicator_code = cells.indicator_code
    inner join areas
        on areas.area_level = cells.area_level
        and areas.area_code = cells.area_code
    where (cells.n_individuals > 0 or cells.numerator <> 0)
        and list_contains(string_split(catalogue.area_levels, ','), cells.area_level)
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
    left join cells as aggregated
        on aggregated.indicator_code = scaffold.indicator_code
        and aggregated.year = scaffold.year
        and aggregated.period = scaffold.period
        and aggregated.area_level = scaffold.area_level
        and aggregated.area_code = scaffold.area_code
        and aggregated.gender = scaffold.gender_group

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
        case when current_year.gender = 'alla' then targets.target end as target,
        case when current_year.gender = 'alla' then targets.target_kf end as target_kf
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
