{#- The KPI observations' parts: one model per kind of subject, each naming its indicators as
    constants (int_kpi_observations is their union). -#}
{% macro kpi_observation_parts() -%}
    {{ return([
        'int_kpi_obs_households',
        'int_kpi_obs_recipients',
        'int_kpi_obs_population',
        'int_kpi_obs_cases',
        'int_kpi_obs_measures',
        'int_kpi_obs_staff',
        'int_kpi_obs_surveys',
        'int_kpi_obs_kolada',
        'int_kpi_obs_services',
        'int_kpi_obs_budget',
    ]) }}
{%- endmacro %}

{#- The parts that read only month-keyed incremental models (macros/incremental.sql) and key
    each row by those models' month: an incremental build leaves their rows before the start of
    rebuild_from's year as the last build wrote them, so int_kpi_observation_years sums up only
    the rest again. The other parts rest on exports re-delivered whole (cases, measures, staff,
    surveys, services, population), whose history may change in any year — but for the budget
    part (kpi_observation_parts_since). -#}
{% macro kpi_month_keyed_observation_parts() -%}
    {{ return(['int_kpi_obs_households', 'int_kpi_obs_recipients', 'int_kpi_obs_kolada']) }}
{%- endmacro %}

{#- From which month an incremental build sums each part's rows up again (a date expression), by
    part; a part not in it: every row (the parts re-delivered whole), and every part in a full
    build. The month-keyed parts: from the start of rebuild_from's year. The budget part
    (int_kpi_obs_budget): a year's rows rest on that year's household months, its payments and
    the year before's (the forecasts) — all month-keyed — and on its own budget file, so from the
    start of rebuild_from's year or of the first year whose budget delivery changed
    (budget_rebuild_from), whichever is earlier. It is most of the rows summed up again after a
    new month (stockholm: 2,4 M of 4,6 M). Each caller asks once: the plan is read from the
    warehouse (macros/incremental.sql). -#}
{% macro kpi_observation_parts_since() -%}
    {%- set since = {} -%}
    {%- if is_incremental() -%}
        {%- set year_start = rebuild_from_year_start() -%}
        {%- for part in kpi_month_keyed_observation_parts() -%}
            {%- do since.update({part: year_start}) -%}
        {%- endfor -%}
        {%- do since.update(
            {'int_kpi_obs_budget': 'least(' ~ year_start ~ ', ' ~ budget_rebuild_from() ~ ')'}
        ) -%}
    {%- endif -%}
    {{ return(since) }}
{%- endmacro %}

{#- One part's rows in the observations' columns and types. -#}
{% macro kpi_observation_rows(part) -%}
select
    cast(indicator_code as varchar) as indicator_code,
    cast(obs_month as date) as obs_month,
    cast(origin_level as varchar) as origin_level,
    cast(origin_code as varchar) as origin_code,
    cast(gender as varchar) as gender,
    cast(subject_id as varchar) as subject_id,
    cast(person_id as varchar) as person_id,
    -- exact decimals (every contribution is whole or has at most 4 decimals: kronor, hours):
    -- sums of doubles depend on the order DuckDB's parallel aggregation meets them, and the
    -- published figures must be identical from one refresh of the same data to the next
    cast(numerator as decimal(38, 4)) as numerator,
    cast(denominator as decimal(38, 4)) as denominator,
    cast(eligible_from as date) as eligible_from
from {{ ref(part) }}
{%- endmacro %}

{#- pre_hook of int_kpi_observation_years: drop the rows about to be summed up again — every
    row of the parts re-delivered whole, and the others' from their year on
    (kpi_observation_parts_since). -#}
{% macro delete_rebuilt_observation_years() -%}
    {%- if is_incremental() -%}
        {%- set kept = [] -%}
        {%- for part, since in kpi_observation_parts_since().items() -%}
            {%- do kept.append("(obs_part = '" ~ part ~ "' and obs_year < year(" ~ since ~ "))") -%}
        {%- endfor %}
        delete from {{ this }}
        where not ({{ kept | join(' or ') if kept else 'false' }})
    {%- endif -%}
{%- endmacro %}
