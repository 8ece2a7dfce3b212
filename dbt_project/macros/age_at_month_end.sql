{#- Whole years of age on the last day of `month` for a person born in `birth_month`.
    Birth year-month is enough: a birthday falls in its month, so by the month's last day it has
    passed exactly when the birth month is not later in the year than `month`. The loader derives
    the birth month from the personnummer (for samordningsnummer the day is minus 60, which does
    not change the month). -#}
{% macro age_at_month_end(birth_month, month) -%}
    (year({{ month }}) - year({{ birth_month }})
        - case when month({{ month }}) < month({{ birth_month }}) then 1 else 0 end)
{%- endmacro %}
