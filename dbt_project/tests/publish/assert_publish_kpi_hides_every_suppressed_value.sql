-- No suppressed KPI value is visible in the published layer: every published row whose
-- warehouse row rests on 1–4 individuals shows no value, previous-year value or status, and the
-- flag agrees with the warehouse. In Dagster it is a check of publish.kpi.

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
where published.is_suppressed <> facts.is_suppressed
    or (facts.n_individuals between 1 and {{ var('suppression_threshold') }} - 1
        and (published.value is not null
            or published.previous_year_value is not null
            or published.status is not null))
