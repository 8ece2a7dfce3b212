{#- int_kpi_period_cells: where rows of an origin count — fan_targets (every area above the
    origin, and the gender groups: 'alla', and for indicators split by gender the row's own) joined
    on the origin, its gender and the indicator's split. -#}
{% macro fans_out(rows) -%}
    fan_targets.origin_level = {{ rows }}.origin_level
        and fan_targets.origin_code = {{ rows }}.origin_code
        and fan_targets.gender is not distinct from {{ rows }}.gender
        and fan_targets.kon_uppdelad = {{ rows }}.kon_uppdelad
{%- endmacro %}
