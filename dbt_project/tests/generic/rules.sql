{#- A model's data rules in one query (one dbt test, one Dagster asset check per model), instead
    of one query per column and rule. Each argument is optional:

      unique           list of column lists: no two rows share the values of these columns
                       (nulls count as equal, like a GROUP BY) — the grain and any other key;
                       hashed first (macros/duplicate_keys.sql)
      not_null         columns that have a value in every row
      accepted_values  {column: [values]}: every non-null value is one of these
      ranges           {column: {min: …, max: …}} (either bound optional): non-null values lie
                       within the closed range
      expressions      SQL conditions every row satisfies (false or null fails)
      relationships    [{column: …, to: ref(…), field: …}] — or columns/fields for a key of
                       several columns: every row whose columns all have a value finds a row of
                       `to` with the same values in the fields
      same_rows_as     ref(…): the model has as many rows as that relation
      rebuilt_only     a month column of a month-keyed incremental model (macros/incremental.sql):
                       check only the months the build rewrote — from meta.dbt_build_plan's
                       rebuild_from on, every month in a full build (the plan is then empty) —
                       since the other months are the rows an earlier build wrote and checked.
                       Rules per row, per month (a unique key with the month in it),
                       relationships and same_rows_as (both sides sliced) hold on such a slice.

    The result has one row per broken rule: the rule, written out, and how many rows (groups for
    `unique`) break it; the test fails on their sum. Marts and publish models state their
    row-level rules as contract constraints instead (not_null, check, primary_key), which DuckDB
    enforces while the table is written, and use this test only for what a constraint cannot
    check cheaply: keys of the big facts (an index costs more than a GROUP BY) and
    relationships. -#}
{% test rules(model, unique=[], not_null=[], accepted_values={}, ranges={}, expressions=[], relationships=[], same_rows_as=none, rebuilt_only=none) %}
{{ config(fail_calc="coalesce(sum(failing_rows), 0)") }}
{%- set same_rows_name = same_rows_as.identifier if same_rows_as is not none else none %}

{%- if rebuilt_only is not none %}
    {%- for columns in unique if rebuilt_only not in columns %}
        {{ exceptions.raise_compiler_error("rules: with rebuilt_only every unique key must contain " ~ rebuilt_only) }}
    {%- endfor %}
    {%- set rebuilt -%}
        where {{ rebuilt_only }} >= {{ rebuilt_months_start() }}
    {%- endset %}
    {%- set model = "(select * from " ~ model ~ " " ~ rebuilt ~ ")" %}
    {%- if same_rows_as is not none %}
        {%- set same_rows_as = "(select * from " ~ same_rows_as ~ " " ~ rebuilt ~ ")" %}
    {%- endif %}
{%- endif %}

{%- set row_rules = [] -%}
{%- for column in not_null -%}
    {%- do row_rules.append(("not_null(" ~ column ~ ")", column ~ " is null")) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append("'" ~ value ~ "'" if value is string else value | string) -%}
    {%- endfor -%}
    {%- do row_rules.append(
        ("accepted_values(" ~ column ~ ")", column ~ " not in (" ~ literals | join(", ") ~ ")")
    ) -%}
{%- endfor -%}
{%- for column, bounds in ranges.items() -%}
    {%- set outside = [] -%}
    {%- if bounds.get("min") is not none -%}{%- do outside.append(column ~ " < " ~ bounds["min"]) -%}{%- endif -%}
    {%- if bounds.get("max") is not none -%}{%- do outside.append(column ~ " > " ~ bounds["max"]) -%}{%- endif -%}
    {%- do row_rules.append(("range(" ~ column ~ ")", outside | join(" or "))) -%}
{%- endfor -%}
{%- for expression in expressions -%}
    {%- do row_rules.append((expression, "not coalesce((" ~ expression ~ "), false)")) -%}
{%- endfor -%}

with

broken as (

    {%- set parts = [] %}
    {%- if row_rules %}{% do parts.append("rows") %}
    select rule, failing_rows
    from (
        select
            {%- for name, condition in row_rules %}
            count(*) filter (where {{ condition }}) as "{{ name | replace('"', '""') }}"
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ model }}
    ) unpivot (failing_rows for rule in (columns(*)))
    {%- endif %}

    {%- for columns in unique %}
    {%- if parts %}
    union all
    {%- endif %}{% do parts.append("unique") %}
    select 'unique({{ columns | join(", ") }})' as rule, count(*) as failing_rows
    from (
        {{ duplicate_keys(model, columns) | indent(8) }}
    )
    {%- endfor %}

    {%- for relationship in relationships %}
    {%- set columns = relationship.get("columns") or [relationship["column"]] %}
    {%- set fields = relationship.get("fields") or [relationship["field"]] %}
    {%- set parent = relationship["to"] %}
    {%- if parts %}
    union all
    {%- endif %}{% do parts.append("relationship") %}
    select
        'relationship(({{ columns | join(", ") }}) → {{ parent.identifier }} ({{ fields | join(", ") }}))' as rule,
        count(*) as failing_rows
    from {{ model }} as child
    where {% for column in columns %}child.{{ column }} is not null and {% endfor %}not exists (
        select 1
        from {{ parent }} as parent
        where {% for column in columns -%}
            parent.{{ fields[loop.index0] }} = child.{{ column }}{% if not loop.last %} and {% endif %}
        {%- endfor %}
    )
    {%- endfor %}

    {%- if same_rows_as is not none %}
    {%- if parts %}
    union all
    {%- endif %}{% do parts.append("rows") %}
    select
        'same_rows_as({{ same_rows_name }})' as rule,
        abs((select count(*) from {{ model }}) - (select count(*) from {{ same_rows_as }}))
            as failing_rows
    {%- endif %}

)

select rule, failing_rows
from broken
where failing_rows > 0
{% endtest %}
