{#- The keys of `relation` (a relation or a parenthesised query) that occur more than once, with
    how often: `columns`, n_records. Nulls count as equal, like a GROUP BY; `where` (SQL) limits
    the rows looked at. Grouped first by the key's 64-bit hash (a fixed-size key, cheaper to
    group than text), then exactly for the keys whose hash occurs more than once — a duplicate,
    or rarely a collision, which the exact grouping tells apart. Measured alone on the national
    profile: 24 M person-months 4,7 → 3,2 s, 16 M payment ids 4,3 → 1,9 s. For the `unique`
    rule of `rules` and unique_in_rebuilt_months. -#}
{% macro duplicate_keys(relation, columns, where='true') -%}
    {%- set key = columns | join(', ') -%}
select {{ key }}, count(*) as n_records
from {{ relation }}
where ({{ where }})
    and hash({{ key }}) in (
        select hash({{ key }})
        from {{ relation }}
        where ({{ where }})
        group by 1
        having count(*) > 1
    )
group by {{ key }}
having count(*) > 1
{%- endmacro %}
