{#- int_kpi_period_cells: where rows of an origin count — fan_targets (every area above the
    origin, and the gender groups: 'alla', and for indicators split by gender the row's own, as
    target keys) joined on the indicator and the origin with its gender (integer keys). -#}
{% macro fans_out(rows) -%}
    fan_targets.indicator_key = {{ rows }}.indicator_key
        and fan_targets.origin_key = {{ rows }}.origin_key
{%- endmacro %}
