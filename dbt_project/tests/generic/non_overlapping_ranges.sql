{#- The closed integer ranges [lower, upper] of the rows do not overlap and leave no gap between
    the lowest and highest bound (like dbt_utils.mutually_exclusive_ranges with gaps not allowed). -#}
{% test non_overlapping_ranges(model, lower, upper) %}
with ordered as (
    select
        {{ lower }} as lower_bound,
        {{ upper }} as upper_bound,
        lead({{ lower }}) over (order by {{ lower }}) as next_lower
    from {{ model }}
)
select *
from ordered
where lower_bound > upper_bound
    or (next_lower is not null and next_lower <> upper_bound + 1)
{% endtest %}
