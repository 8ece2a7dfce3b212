{#- uppfylls / uppfylls_delvis / uppfylls_ej against a target in the indicator's direction:
    met when at or better than the target, partly met when worse by at most `tolerance` × target,
    otherwise not met. Null without a value, a target or a direction. -#}
{% macro goal_status(value, target, direction, tolerance) -%}
    case
        when {{ value }} is null or {{ target }} is null or {{ direction }} is null then null
        when {{ direction }} = 'lagre_battre' then
            case
                when {{ value }} <= {{ target }} then 'uppfylls'
                when {{ value }} <= {{ target }} * (1 + {{ tolerance }}) then 'uppfylls_delvis'
                else 'uppfylls_ej'
            end
        when {{ direction }} = 'hogre_battre' then
            case
                when {{ value }} >= {{ target }} then 'uppfylls'
                when {{ value }} >= {{ target }} * (1 - {{ tolerance }}) then 'uppfylls_delvis'
                else 'uppfylls_ej'
            end
    end
{%- endmacro %}
