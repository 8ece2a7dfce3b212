-- fct_indicator_value counts a subject of a subject_agg = 'max' indicator once per period by
-- the months in which it contributes 1 (bit masks): its observations must contribute 0 or 1
-- (or nothing) to the numerator and the denominator. Population rows (no subject) are summed.

select observations.*
from {{ ref('int_kpi_observations') }} as observations
inner join {{ ref('indicators') }} as catalogue
    on catalogue.indicator_code = observations.indicator_code
where catalogue.subject_agg = 'max'
    and observations.subject_id is not null
    and (coalesce(observations.numerator, 0) not in (0, 1)
        or coalesce(observations.denominator, 0) not in (0, 1))
