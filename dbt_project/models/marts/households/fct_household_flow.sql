-- Households star, flows (spec catalogue-v2 "Flows of households"): one row per household and
-- month in which it is a bidragshushåll or has just stopped being one, with its state that month:
--   new         a bidragshushåll in m and in none of the 12 months before m
--   returning   one in m, not in m − 1, but in some month m − 12 … m − 2
--   continuing  one in m and in m − 1
--   leaving     one in m − 1 and not in m (only for months with data: m ≤ the latest month)
-- run_months: the length of the run of consecutive bidragshushåll-months ending with m (for a
-- leaving row: the run that ended at m − 1). run_from_first_month flags a run that reaches back
-- to the first month with data (its true length is unknown; it is counted as it is). District:
-- the household's district in m (leaving: in m − 1).
-- Incremental by month (macros/incremental.sql): a rebuild reads the 12 months before
-- `rebuild_from` from fct_household_month (which carries the runs) and writes the months from
-- `rebuild_from` on.

{{ month_incremental_config('benefit_month') }}

with

recipient_months as (

    select household_id, benefit_month, district_code, consecutive_months
    from {{ ref('fct_household_month') }}
    where is_recipient_household and {{ since_rebuild('benefit_month', 12) }}

),

-- the months with data (utbetalningar and hushallsmedlemmar delivered)
data_months as (

    select min(month_start) as first_month, max(month_start) as last_month
    from {{ ref('int_kpi_source_months') }}
    where source = 'utbetalningar'

),

sequenced as (

    select
        household_id,
        benefit_month,
        district_code,
        consecutive_months,
        lag(benefit_month) over by_household as previous_month,
        lead(benefit_month) over by_household as next_month
    from recipient_months
    window by_household as (partition by household_id order by benefit_month)

),

flows as (

    select
        household_id,
        benefit_month,
        district_code,
        case
            when previous_month = benefit_month - to_months(1) then 'continuing'
            when previous_month >= benefit_month - to_months(12) then 'returning'
            else 'new'
        end as flow_code,
        consecutive_months as run_months,
        benefit_month as run_end_month
    from sequenced
    where {{ since_rebuild('benefit_month') }}

    union all

    select
        sequenced.household_id,
        cast(sequenced.benefit_month + to_months(1) as date),
        sequenced.district_code,
        'leaving',
        sequenced.consecutive_months,
        sequenced.benefit_month
    from sequenced
    cross join data_months
    where (sequenced.next_month is null or sequenced.next_month > sequenced.benefit_month + to_months(1))
        and sequenced.benefit_month + to_months(1) <= data_months.last_month
        and {{ since_rebuild('sequenced.benefit_month + to_months(1)') }}

)

select
    cast(flows.household_id as varchar) as household_id,
    cast(flows.benefit_month as date) as benefit_month,
    cast(flows.district_code as varchar) as district_code,
    cast(flows.flow_code as varchar) as flow_code,
    cast(flows.run_months as integer) as run_months,
    cast(
        flows.run_end_month - to_months(flows.run_months - 1) <= data_months.first_month
        as boolean
    ) as run_from_first_month
from flows
cross join data_months
