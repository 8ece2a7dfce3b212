{#- Use the folder's schema name as it is (staging, intermediate, marts, publish, reference),
    not dbt's default `<target>_<custom>`: the pages and the loaders name these schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
