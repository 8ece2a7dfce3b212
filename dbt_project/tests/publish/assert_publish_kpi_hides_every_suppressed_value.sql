-- No suppressed KPI value is visible in the published layer: every published row whose
-- warehouse row rests on 1–4 individuals is hidden for that reason (no value, previous-year
-- value or status), a row hidden as a complement is one the warehouse shows, and every
-- published row has its warehouse row's disclosure decision (int_kpi_disclosure). In Dagster
-- it is a check of publish.kpi.

{{ config(meta={"dagster": {"ref": {"name": "kpi"}}}) }}

select published.*
from {{ ref('kpi') }} as published
inner join {{ ref('fct_indicator_value') }} as facts
    on facts.indicator_code = published.indicator_code
    and facts.area_level = published.area_level
    and facts.area_code = published.area_code
    and facts.year = published.year
    and facts.period = published.period
    and facts.gender = published.gender
inner join {{ ref('int_kpi_disclosure') }} as disclosure
    on disclosure.indicator_code = published.indicator_code
    and disclosure.area_level = published.area_level
    and disclosure.area_code = published.area_code
    and disclosure.year = published.year
    and disclosure.period = published.period
    and disclosure.gender = published.gender
where facts.is_suppressed <> coalesce(published.suppression_reason = 'fa_individer', false)
    or published.suppression_reason is distinct from disclosure.suppression_reason
    or published.previous_year_suppression_reason
        is distinct from disclosure.previous_year_suppression_reason
    or (facts.n_individuals between 1 and {{ var('suppression_threshold') }} - 1
        and (published.value is not null
            or published.previous_year_value is not null
            or published.status is not null))
