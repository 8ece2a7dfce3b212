{#- Complementary suppression in overlapping additive groups (int_kpi_disclosure).

    disclosure_passes(prefix, start, members, passes) writes the CTEs {prefix}_1 … {prefix}_N,
    each (cell_id, value, is_hidden) like `start`. `members` has one row per group and member
    (group_key, cell_id, is_total). A pass looks at every group with exactly one hidden member
    and hides one more: the smallest other non-zero member (a part before the total; a zero one
    only when nothing else is left), so that the hidden one is not the total minus the published
    parts, nor a part the sum of them. Groups overlap (a cell hidden for its gender group can
    leave its district group with one hidden), so the passes repeat; the last one is the result,
    and int_kpi_disclosure counts the groups still left with one hidden cell (its test: none).
    (complementary_suppression in suppression.sql is the one-pass form for a single partition of
    counts — the household breakdowns; the KPI groups overlap and hold values, hence this.) -#}
{% macro disclosure_passes(prefix, start, members, passes) -%}
{%- for i in range(1, passes + 1) %}
{%- set previous = start if i == 1 else prefix ~ '_' ~ (i - 1) %}
-- the groups with exactly one hidden member (an aggregate, not a window over every member)
{{ prefix }}_{{ i }}_single as (

    select {{ members }}.group_key
    from {{ members }}
    inner join {{ previous }} on {{ previous }}.cell_id = {{ members }}.cell_id
    group by {{ members }}.group_key
    having count(*) filter (where {{ previous }}.is_hidden) = 1

),

-- their shown members in the order of hiding: non-zero first, a part before the total, the
-- smallest value, then the cell id
{{ prefix }}_{{ i }}_ranked as (

    select
        {{ members }}.cell_id,
        row_number() over (
            partition by {{ members }}.group_key
            order by coalesce({{ previous }}.value, 0) = 0,
                {{ members }}.is_total,
                abs({{ previous }}.value),
                {{ members }}.cell_id
        ) as hide_order
    from {{ members }}
    inner join {{ previous }} on {{ previous }}.cell_id = {{ members }}.cell_id
    where not {{ previous }}.is_hidden
        and {{ members }}.group_key in (select group_key from {{ prefix }}_{{ i }}_single)

),

{{ prefix }}_{{ i }} as (

    select
        {{ previous }}.cell_id,
        {{ previous }}.value,
        {{ previous }}.is_hidden or {{ previous }}.cell_id in (
            select cell_id from {{ prefix }}_{{ i }}_ranked where hide_order = 1
        ) as is_hidden
    from {{ previous }}

){{ ',' if not loop.last }}
{%- endfor %}
{%- endmacro %}
