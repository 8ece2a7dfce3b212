{#- Texts as the items of an SQL `in (…)` list: 'A', 'B' (quotes doubled); `null` for none, so
    that `x in ({{ string_list([]) }})` is a valid list that holds nothing. -#}
{% macro string_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- else -%}
        null
    {%- endfor -%}
{%- endmacro %}
