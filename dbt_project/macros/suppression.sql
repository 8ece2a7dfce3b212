{#- Statistical disclosure control for the published breakdown tables.

    is_small(n): a figure resting on 1 to (suppression_threshold − 1) people — it is not shown.

    complementary_suppression(count, partition_by, tiebreak): true for the cells to hide within
    each group of `partition_by` (e.g. area × month) whose total is published elsewhere: every
    small cell, and — when exactly one cell of the group is small — also the smallest other
    non-zero cell, so the small one cannot be recovered by subtracting the rest from the total. -#}
{% macro is_small(n) -%}
    ({{ n }} between 1 and {{ var('suppression_threshold') }} - 1)
{%- endmacro %}

{% macro complementary_suppression(count, partition_by, tiebreak) -%}
    (
        {{ is_small(count) }}
        or (
            count(*) filter (where {{ is_small(count) }}) over (partition by {{ partition_by }}) = 1
            and {{ count }} > 0
            and row_number() over (
                partition by {{ partition_by }}
                order by case when {{ is_small(count) }} or {{ count }} = 0 then 1 else 0 end,
                    {{ count }}, {{ tiebreak }}
            ) = 1
        )
    )
{%- endmacro %}
