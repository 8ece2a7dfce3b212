{#- The model has as many rows as `compare_model` (like dbt_utils.equal_rowcount). -#}
{% test equal_rowcount(model, compare_model) %}
with counts as (
    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ compare_model }}) as compare_rows
)
select * from counts where model_rows <> compare_rows
{% endtest %}
