{#- Lean `table` and `view` materializations for DuckDB (they take precedence over dbt-duckdb's).

    dbt-duckdb builds a table under a temporary name, renames the old one to a backup, renames
    the new one into place and drops the backup: five statements, and every rename or drop is an
    adapter macro call for which dbt assembles a context of every macro in the project. Per node
    that Python work (~45 ms) cost more than DuckDB on most of our models and, summed over the
    build, several seconds of a refresh (benchmarks/results.md). DuckDB's DDL is transactional,
    so the same guarantee takes one statement inside the model's transaction: drop the old
    relation and create the new one; when the query, a contract or a constraint fails, the
    transaction rolls back and the previous table is still there, unchanged
    (tests/dbt/test_materializations.py).

    Kept from dbt-duckdb: the contract (columns and types compared before anything runs, then
    the table created with its constraints and filled — create_table_as), pre- and post-hooks
    inside and outside the transaction, persist_docs. Not supported (not used here, and refused
    rather than ignored): python models, grants, indexes, partitioned_by / sorted_by, foreign keys
    (dbt-duckdb rebuilds in place for those), external or DuckLake targets. -#}

{% macro lean_materialization_unsupported(kind) -%}
    {%- set unsupported = [] -%}
    {%- for option in ['grants', 'indexes', 'partitioned_by', 'sorted_by'] -%}
        {%- if config.get(option) -%}{%- do unsupported.append(option) -%}{%- endif -%}
    {%- endfor -%}
    {%- if model.get('language', 'sql') != 'sql' -%}
        {%- do unsupported.append('language ' ~ model['language']) -%}
    {%- endif -%}
    {%- if unsupported -%}
        {{ exceptions.raise_compiler_error(
            kind ~ " materialization (macros/materializations.sql) does not support: "
            ~ unsupported | join(", ")) }}
    {%- endif -%}
{%- endmacro %}

{#- What both materializations do around the statement their caller block renders: hooks
    outside and inside the model's transaction, the statement as `main`, docs, the commit. -#}
{% macro lean_replace(kind, target_relation) -%}
    {#- inside the `statement` call below, `caller` is that call's own -#}
    {%- set replace_statement = caller -%}
    {{ lean_materialization_unsupported(kind) }}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    -- `BEGIN` happens here
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('main') -%}
        {{ replace_statement() }}
    {%- endcall %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    -- `COMMIT` happens here
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
{%- endmacro %}

{% materialization table, adapter="duckdb" %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {% call lean_replace('table', target_relation) -%}
        {%- if existing_relation is not none %}
        drop {{ existing_relation.type }} {{ existing_relation }};
        {%- endif %}
        {{ create_table_as(False, target_relation, compiled_code) }}
    {%- endcall %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% materialization view, adapter="duckdb" %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {% call lean_replace('view', target_relation) -%}
        {%- if existing_relation is not none and not existing_relation.is_view %}
        drop {{ existing_relation.type }} {{ existing_relation }};
        {%- endif %}
        {%- if config.get('contract').enforced %}
        {{ get_assert_columns_equivalent(sql) }}
        {%- endif %}
        create or replace view {{ target_relation }} as (
            {{ sql }}
        );
    {%- endcall %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
