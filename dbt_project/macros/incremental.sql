{#- Incremental rebuild of the month-keyed facts (households, persons and their KPI observations).

    The refresh (orchestration/incremental.py) compares the deliveries of the monthly exports
    (utbetalningar, hushallsmedlemmar) with those the last successful build used and passes the
    earliest month whose delivery changed in meta.dbt_build_plan (`rebuild_from`). Every
    month-keyed incremental model then deletes its rows from that month on (`pre_hook`), and
    recomputes them from its inputs from that month on — minus the months its windows look back
    (`since_rebuild(column, months_before)`: 11 for trailing-12 counts, 13 for the long-term
    window that may end two months after the latest recipient month). A re-delivered month thus
    also rebuilds every later month, which covers the trailing-12 figures that depend on it and
    the runs of consecutive months. Everything downstream of these models is rebuilt whole.

    Without a plan an incremental run rebuilds every month (a plain `dbt build` is always right);
    `--full-refresh` recreates the tables. The result equals a full rebuild (tests/
    test_incremental.py). -#}

{#- The first month to rebuild, as a date literal (so DuckDB can skip older row groups): the var
    `rebuild_from` when given (unit tests), else the month the refresh wrote to
    meta.dbt_build_plan — read from the table rather than passed as a var, since changing vars
    makes dbt re-parse the whole project on every run. No plan: every month. -#}
{% macro rebuild_from() -%}
    {{ planned_month('rebuild_from') }}
{%- endmacro %}

{#- The first year whose budget delivery changed (1 January), as a date literal: the var
    `budget_rebuild_from` when given (unit tests), else meta.dbt_build_plan's budget_from
    (orchestration/incremental.py; a month after all data when no budget changed). No plan:
    every month. Read by the budget part of the KPI observations (int_kpi_observation_years). -#}
{% macro budget_rebuild_from() -%}
    {{ planned_month('budget_from', 'budget_rebuild_from') }}
{%- endmacro %}

{#- The first day of meta.dbt_build_plan's `column` as text ('YYYY-MM-DD'), '0001-01-01' when
    the plan is empty (a full build: every month) or while dbt only parses. -#}
{% macro plan_first_day(column) -%}
    {%- if not execute -%}{{ return('0001-01-01') }}{%- endif -%}
    {%- set planned = run_query(
        "select strftime(coalesce(max(" ~ column ~ "), date '0001-01-01'), '%Y-%m-%d') "
        ~ "from meta.dbt_build_plan"
    ) -%}
    {{ return(planned.columns[0].values()[0]) }}
{%- endmacro %}

{#- The first month the running build rewrote, for a data test (a test is not incremental, so
    rebuild_from() would give every month), as text: meta.dbt_build_plan's rebuild_from, or
    '0001-01-01' — every month — when the plan is empty (a full build). Read when the test is
    compiled, which dbt does just before it runs, after the refresh wrote the plan, and written
    into the test as a date literal (rebuilt_months_start), so DuckDB skips the row groups of
    earlier months (a subquery it cannot: the national incremental refresh's check of the
    household members took 1,2–2,7 s that way, 0,08 s so). For the tests that check only the
    rewritten months: rules (rebuilt_only) and unique_in_rebuilt_months. -#}
{% macro rebuilt_months_first_day() -%}
    {{ return(plan_first_day('rebuild_from')) }}
{%- endmacro %}

{% macro rebuilt_months_start(first_day=none) -%}
    cast('{{ first_day or rebuilt_months_first_day() }}' as date)
{%- endmacro %}

{#- A month of meta.dbt_build_plan (`column`), or the var `var_name` when given. -#}
{% macro planned_month(column, var_name=none) -%}
    {%- set var_name = var_name or column -%}
    {%- if not is_incremental() -%}
        cast('0001-01-01' as date)
    {%- elif var(var_name, none) is not none -%}
        cast('{{ var(var_name) }}' as date)
    {%- else -%}
        cast('{{ plan_first_day(column) }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- A predicate keeping the input rows a rebuild needs: months from `rebuild_from` minus
    `months_before` on (always true in a full build). -#}
{% macro since_rebuild(column, months_before=0) -%}
    {%- if is_incremental() -%}
        {{ column }} >= {{ rebuild_from() }} - to_months({{ months_before }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of a month-keyed incremental model: drop the months about to be rebuilt (with
    whole_years, from the start of rebuild_from's year). -#}
{% macro delete_rebuilt_months(column, whole_years=false) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ column }} >= {{
            rebuild_from_year_start() if whole_years else rebuild_from() }}
    {%- endif -%}
{%- endmacro %}

{#- The config of a month-keyed incremental model. -#}
{% macro month_incremental_config(column, whole_years=false) -%}
    {{ config(
        materialized="incremental",
        incremental_strategy="append",
        on_schema_change="fail",
        pre_hook="{{ delete_rebuilt_months('" ~ column ~ "', " ~ whole_years ~ ") }}",
    ) }}
{%- endmacro %}

{#- A fingerprint of `parts` (SQL expressions): the md5 of their text, joined by '|', every part
    written out and an absent one as '-' (concat_ws alone would skip nulls). The fingerprints of
    int_kpi_input_fingerprints and int_kpi_value_fingerprints. -#}
{% macro md5_of_parts(parts) -%}
    cast(md5(concat_ws(
        '|',
        {%- for part in parts %}
        coalesce(cast({{ part }} as varchar), '-'){% if not loop.last %},{% endif %}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}

{#- pre_hook of the models incremental by (indicator, year): drop the rows of every (indicator,
    year) whose fingerprint in `fingerprints` changed or that is no longer there; the model then
    computes those that have no rows. int_kpi_period_cells: int_kpi_input_fingerprints (what its
    cells are computed from); int_kpi_disclosure: int_kpi_value_fingerprints (its fct rows). -#}
{% macro delete_changed_kpi_rows(fingerprints) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as built
        where not exists (
            select 1
            from {{ fingerprints }} as current_inputs
            where current_inputs.indicator_code = built.indicator_code
                and current_inputs.year = built.year
                and current_inputs.input_fingerprint = built.input_fingerprint
        )
    {%- endif %}
{%- endmacro %}

{#- The (indicator, year) pairs a model incremental by (indicator, year) computes, with their
    fingerprint (a relation over `fingerprints`, a CTE of int_kpi_input_fingerprints or
    int_kpi_value_fingerprints): every pair in a full build; else those without rows — after
    the pre-hook (delete_changed_kpi_rows), those whose fingerprint changed and the new ones. -#}
{% macro kpi_years_to_build(fingerprints='fingerprints') -%}
    select indicator_code, year, input_fingerprint
    from {{ fingerprints }}
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as built
        where built.indicator_code = {{ fingerprints }}.indicator_code
            and built.year = {{ fingerprints }}.year
    )
    {%- endif %}
{%- endmacro %}

{#- int_kpi_period_cells on an incremental build: which observations the (indicator, year) pairs
    to compute read, as a predicate with date literals, so that DuckDB filters every part of the
    observation view (and its scans) by them instead of computing all years and keeping some. A
    pair needs its year and, for trailing-12 windows, the year before. The pairs are those whose
    fingerprint no cell has (the same set before and after the pre-hook's delete).
    Two tiers: every indicator from 1 January of the year before the latest first changed year
    (after a new month: the current year's, for every indicator fed by the monthly exports), and
    the indicators whose earlier years changed too (a snapshot export re-delivered with revised
    history: cases, measures, evictions) from the year before their first changed year. One
    date for all would read ten years of household months for the sake of a few small
    indicators (measured: incremental period cells 4,4 → 3,4 CPU s on the stockholm profile).
    Each part of the view names its indicators as constants, so DuckDB drops the parts the
    second tier does not name. Nothing to compute: a date after all data. -#}
{% macro kpi_observations_to_read() -%}
    {#- not in a unit test: its inputs are fixtures in the query, not tables to ask -#}
    {%- if execute and is_incremental() and model.resource_type == 'model' -%}
        {%- set query -%}
            with changed as (
                select current_inputs.indicator_code, min(current_inputs.year) - 1 as first_year
                from {{ ref('int_kpi_input_fingerprints') }} as current_inputs
                where not exists (
                    select 1
                    from {{ this }} as built
                    where built.indicator_code = current_inputs.indicator_code
                        and built.year = current_inputs.year
                        and built.input_fingerprint = current_inputs.input_fingerprint
                )
                group by current_inputs.indicator_code
            ),
            recent as (select coalesce(max(first_year), 9999) as year from changed)
            select
                recent.year,
                coalesce(min(changed.first_year), recent.year) as first_year,
                coalesce(string_agg(changed.indicator_code, ',' order by changed.indicator_code)
                    filter (where changed.first_year < recent.year), '') as earlier
            from recent
            left join changed on true
            group by recent.year
        {%- endset -%}
        {%- set plan = run_query(query) -%}
        {%- set recent = plan.columns[0].values()[0] | int -%}
        {%- set first = plan.columns[1].values()[0] | int -%}
        {%- set earlier = plan.columns[2].values()[0].split(',') | reject('equalto', '') | list -%}
        obs_month >= date '{{ "%04d" | format(recent) }}-01-01'
        {%- if earlier %}
        or (obs_month >= date '{{ "%04d" | format(first) }}-01-01'
            and indicator_code in ({{ string_list(earlier) }}))
        {%- endif %}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Year-keyed incremental models (counts per calendar year, e.g. the Kolada observations): a
    rebuild from a month redoes that month's whole year — the months before it in the same year
    are read again, the rows of the year deleted and written anew. -#}
{% macro rebuild_from_year_start() -%}
    cast(date_trunc('year', {{ rebuild_from() }}) as date)
{%- endmacro %}

{% macro since_rebuild_year(column) -%}
    {%- if is_incremental() -%}
        {{ column }} >= {{ rebuild_from_year_start() }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro year_incremental_config(column) -%}
    {{ month_incremental_config(column, whole_years=true) }}
{%- endmacro %}
