{#- Every row satisfies `expression` (rows where it is false or null fail). On a column the
    expression is still written out in full (the column name is not substituted). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
