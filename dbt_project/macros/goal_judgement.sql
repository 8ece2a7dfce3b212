{#- The judgement of a goal from the judgements under it (the rule on the Metod page):
    uppfylls_helt when every judged part is met, uppfylls_ej when none of them is met nor partly
    met, otherwise uppfylls_delvis; null (bedöms inte) when nothing under it could be judged.
    `n_judged` counts the parts with a judgement, `n_met` those met (uppfylls / uppfylls_helt)
    and `n_not_met` those not met (uppfylls_ej). -#}
{% macro goal_judgement(n_judged, n_met, n_not_met) -%}
    case
        when coalesce({{ n_judged }}, 0) = 0 then null
        when {{ n_met }} = {{ n_judged }} then 'uppfylls_helt'
        when {{ n_not_met }} = {{ n_judged }} then 'uppfylls_ej'
        else 'uppfylls_delvis'
    end
{%- endmacro %}
