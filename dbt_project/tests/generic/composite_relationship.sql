{#- Every row whose `columns` are all non-null has a row in `to` with the same values in
    `to_columns` (a foreign key over several columns; dbt's relationships takes one). -#}
{% test composite_relationship(model, columns, to, to_columns) %}
select child.*
from {{ model }} as child
where {% for c in columns %}child.{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
    and not exists (
        select 1
        from {{ to }} as parent
        where {% for c in columns %}parent.{{ to_columns[loop.index0] }} = child.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
    )
{% endtest %}
