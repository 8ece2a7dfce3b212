-- Disclosure control of the published KPI table (issue 16): which value and which
-- previous-year value of marts.fct_indicator_value publish.kpi hides, and why.
--
-- Primary rule ('fa_individer'): the row rests on 1–4 individuals (fct.is_suppressed); its
-- previous-year value is hidden too, and so is every previous-year value whose own row (last
-- year's VB, or the same month last year) is hidden.
--
-- Complementary rule ('komplementar'), for the additive indicators only — aggregation 'sum' or
-- 'month_avg' (counts and kronor: EB_HUSHALL, EB_UTBETALT, IN_STHLMSJOBB, KO_N31910); ratios,
-- averages and indices do not add up and get the primary rule only. Their cells form groups
-- whose total is the sum of its parts, per indicator, year and period:
--   kon           per area: alla = kvinnor + män (indicators split by gender)
--   stad_omraden  per gender: the city = its districts + the city-wide units (the areas a
--                 stadsdel_kod is recorded in, int_area_rollup)
--   stad_enheter  per gender: the city = its units
--   enhet         per gender and unit with districts: the unit = its districts
-- When a group has exactly one hidden cell, it could be computed from the others; one more is
-- hidden: the smallest other non-zero cell, a part (gender, district, unit) before the total.
-- Groups overlap, so this repeats until no group has exactly one hidden cell (the passes below;
-- n_unresolved_groups counts what is left, and the model's test requires 0). The previous-year
-- values go through the same passes in the same groups.
--
-- Incremental by (indicator, year), like int_kpi_period_cells: a year's decisions depend only on
-- its own rows of fct_indicator_value and, through the previous-year values, on last year's
-- (int_kpi_value_fingerprints: a fingerprint of both). The pre-hook deletes the rows whose
-- fingerprint changed; this query decides every (indicator, year) that then has no rows, from
-- its own and last year's rows — after a new month, the current year. (Groups never span
-- years; last year's rows are read only for what they pass to the previous-year values.)

{{ config(
    materialized="incremental",
    incremental_strategy="append",
    on_schema_change="fail",
    pre_hook="{{ delete_changed_kpi_rows(ref('int_kpi_value_fingerprints')) }}",
) }}

{% set passes = 6 %}

with

fingerprints as (

    select * from {{ ref('int_kpi_value_fingerprints') }}

),

-- the (indicator, year) pairs to decide: all in a full build; else those without rows
to_build as (

    {{ kpi_years_to_build() }}

),

facts as (

    select facts.*
    from {{ ref('fct_indicator_value') }} as facts
    {%- if is_incremental() %}
    -- the years to decide and the year before each
    semi join to_build
        on to_build.indicator_code = facts.indicator_code
        and facts.year in (to_build.year, to_build.year - 1)
    {%- endif %}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

cells as (

    select
        row_number() over (
            order by facts.indicator_code, facts.year, facts.period, facts.gender,
                facts.area_level, facts.area_code
        ) as cell_id,
        facts.indicator_code,
        facts.area_level,
        facts.area_code,
        facts.year,
        facts.period,
        facts.gender,
        facts.value,
        facts.previous_year_value,
        facts.is_suppressed,
        periods.period_type,
        catalogue.aggregation in ('sum', 'month_avg') as is_additive,
        catalogue.kon_uppdelad,
        areas.is_citywide_unit,
        areas.parent_area_code
    from facts
    inner join catalogue on catalogue.indicator_code = facts.indicator_code
    inner join periods on periods.year = facts.year and periods.period = facts.period
    inner join areas on areas.area_level = facts.area_level and areas.area_code = facts.area_code

),

-- one row per additive group and member
member_keys as (

    select cell_id, gender = 'alla' as is_total,
        concat_ws('|', 'kon', indicator_code, year, period, area_level, area_code) as group_key
    from cells
    where is_additive and kon_uppdelad

    union all

    select cell_id, area_level = 'stad',
        concat_ws('|', 'stad_omraden', indicator_code, year, period, gender)
    from cells
    where is_additive
        and (area_level in ('stad', 'stadsdel') or (area_level = 'enhet' and is_citywide_unit))

    union all

    select cell_id, area_level = 'stad',
        concat_ws('|', 'stad_enheter', indicator_code, year, period, gender)
    from cells
    where is_additive and area_level in ('stad', 'enhet')

    union all

    select cell_id, area_level = 'enhet',
        concat_ws('|', 'enhet', indicator_code, year, period, gender,
            case area_level when 'enhet' then area_code else parent_area_code end)
    from cells
    where is_additive
        and (area_level = 'stadsdel' or (area_level = 'enhet' and not is_citywide_unit))

),

-- the group keys as integers, once: the passes group by them twelve times (measured on the
-- stockholm profile, the model took half the time with these and with the passes over the
-- additive cells only)
members as materialized (

    select cell_id, is_total, dense_rank() over (order by group_key) as group_key
    from member_keys

),

-- the passes run over the additive indicators' cells, the only ones in a group; the others
-- keep the primary rule
value_start as (

    select cell_id, value, is_suppressed as is_hidden
    from cells
    where is_additive

),

{{ disclosure_passes('value_pass', 'value_start', 'members', passes) }},

value_hidden as (

    select * from value_pass_{{ passes }}
    union all
    select cell_id, value, is_suppressed from cells where not is_additive

),

-- last year's row of each row: VB for tertials, the same month for months
previous_cells as (

    select cells.cell_id, last_year.cell_id as previous_cell_id
    from cells
    inner join cells as last_year
        on last_year.indicator_code = cells.indicator_code
        and last_year.area_level = cells.area_level
        and last_year.area_code = cells.area_code
        and last_year.gender = cells.gender
        and last_year.year = cells.year - 1
        and last_year.period = case cells.period_type when 'tertial' then 'VB' else cells.period end

),

previous_all as (

    select
        cells.is_additive,
        cells.cell_id,
        cells.previous_year_value as value,
        cells.previous_year_value is not null
            and (current_row.is_hidden or coalesce(previous_row.is_hidden, false)) as is_hidden
    from cells
    inner join value_hidden as current_row on current_row.cell_id = cells.cell_id
    left join previous_cells on previous_cells.cell_id = cells.cell_id
    left join value_hidden as previous_row on previous_row.cell_id = previous_cells.previous_cell_id

),

previous_start as (

    select cell_id, value, is_hidden from previous_all where is_additive

),

{{ disclosure_passes('previous_pass', 'previous_start', 'members', passes) }},

previous_hidden as (

    select * from previous_pass_{{ passes }}
    union all
    select cell_id, value, is_hidden from previous_all where not is_additive

),

-- groups still left with exactly one hidden cell (value or previous-year value) after the passes
unresolved as (

    select group_key
    from members
    inner join value_hidden on value_hidden.cell_id = members.cell_id
    inner join previous_hidden on previous_hidden.cell_id = members.cell_id
    group by group_key
    having count(*) > 1
        and (count(*) filter (where value_hidden.is_hidden) = 1
            or count(*) filter (where previous_hidden.is_hidden) = 1)

),

unresolved_per_cell as (

    select members.cell_id, count(*) as n_unresolved_groups
    from members
    inner join unresolved on unresolved.group_key = members.group_key
    group by members.cell_id

),

primary_previous as (

    select previous_cells.cell_id
    from previous_cells
    inner join cells on cells.cell_id = previous_cells.previous_cell_id
    where cells.is_suppressed

)

select
    cast(cells.indicator_code as varchar) as indicator_code,
    cast(cells.area_level as varchar) as area_level,
    cast(cells.area_code as varchar) as area_code,
    cast(cells.year as integer) as year,
    cast(cells.period as varchar) as period,
    cast(cells.gender as varchar) as gender,
    cast(
        case
            when cells.is_suppressed then 'fa_individer'
            when value_hidden.is_hidden then 'komplementar'
        end as varchar
    ) as suppression_reason,
    cast(
        case
            when not previous_hidden.is_hidden then null
            when cells.is_suppressed or primary_previous.cell_id is not null then 'fa_individer'
            else 'komplementar'
        end as varchar
    ) as previous_year_suppression_reason,
    cast(coalesce(unresolved_per_cell.n_unresolved_groups, 0) as integer) as n_unresolved_groups,
    cast(to_build.input_fingerprint as varchar) as input_fingerprint

from cells
inner join to_build
    on to_build.indicator_code = cells.indicator_code
    and to_build.year = cells.year
inner join value_hidden on value_hidden.cell_id = cells.cell_id
inner join previous_hidden on previous_hidden.cell_id = cells.cell_id
left join primary_previous on primary_previous.cell_id = cells.cell_id
left join unresolved_per_cell on unresolved_per_cell.cell_id = cells.cell_id
