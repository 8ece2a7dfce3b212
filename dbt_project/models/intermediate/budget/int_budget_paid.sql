-- Net payments per district (the payment's stadsdel_kod), bidragsmånad and booking month (the
-- month of utbetalningsdatum): what the year-end forecast may know at a month end — the rows
-- booked by then (int_budget_forecasts). Incremental by month (macros/incremental.sql).

{{ month_incremental_config('benefit_month') }}

select
    cast(district_code as varchar) as district_code,
    cast(benefit_month as date) as benefit_month,
    cast(date_trunc('month', paid_on) as date) as booked_month,
    cast(sum(amount_sek) as decimal(18, 4)) as net_sek
from {{ ref('stg_case_system__payments') }}
where {{ since_rebuild('benefit_month') }}
group by all
