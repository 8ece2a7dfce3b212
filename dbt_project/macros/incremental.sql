{#- Incremental rebuild of the month-keyed facts (households, persons and their KPI observations).

    The refresh (orchestration/incremental.py) compares the deliveries of the monthly exports
    (utbetalningar, hushallsmedlemmar) with those the last successful build used and passes the
    earliest month whose delivery changed as the var `rebuild_from` (YYYY-MM-01). Every
    month-keyed incremental model then deletes its rows from that month on (`pre_hook`), and
    recomputes them from its inputs from that month on — minus the months its windows look back
    (`since_rebuild(column, months_before)`: 11 for trailing-12 counts, 13 for the long-term
    window that may end two months after the latest recipient month). A re-delivered month thus
    also rebuilds every later month, which covers the trailing-12 figures that depend on it and
    the runs of consecutive months. Everything downstream of these models is rebuilt whole.

    Without the var an incremental run rebuilds every month (a plain `dbt build` is always right);
    `--full-refresh` recreates the tables. The result equals a full rebuild (tests/
    test_incremental.py). -#}

{% macro rebuild_from() -%}
    {%- if is_incremental() -%}
        cast('{{ var("rebuild_from", "0001-01-01") }}' as date)
    {%- else -%}
        cast('0001-01-01' as date)
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

{#- pre_hook of a month-keyed incremental model: drop the months about to be rebuilt. -#}
{% macro delete_rebuilt_months(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ column }} >= {{ rebuild_from() }}
    {%- endif -%}
{%- endmacro %}

{#- The config of a month-keyed incremental model. -#}
{% macro month_incremental_config(column) -%}
    {{ config(
        materialized="incremental",
        incremental_strategy="append",
        on_schema_change="fail",
        pre_hook="{{ delete_rebuilt_months('" ~ column ~ "') }}",
    ) }}
{%- endmacro %}
