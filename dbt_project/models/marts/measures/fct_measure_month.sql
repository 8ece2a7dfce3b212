-- Measures star, activity per month: one row per measure episode and month it was active (from
-- its start month to its end month; while ongoing, to the month of the snapshot's extraction).

select
    cast(measure_id as varchar) as measure_id,
    cast(month_start as date) as month_start,
    cast(person_id as varchar) as person_id,
    cast(district_code as varchar) as district_code,
    cast(gender as varchar) as gender,
    cast(measure_type_code as varchar) as measure_type_code,
    cast(is_start_month as boolean) as is_start_month,
    cast(is_end_month as boolean) as is_end_month,
    cast(case when is_end_month then outcome_code end as varchar) as outcome_code

from {{ ref('int_measure_months') }}
