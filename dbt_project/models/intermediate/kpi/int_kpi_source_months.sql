-- Months for which each source has data. A reporting period is published only when every month
-- it needs is here (int_kpi_available_periods).
--   utbetalningar: months with both payments and household members delivered.

with

payment_months as (

    select distinct benefit_month as month_start from {{ ref('stg_case_system__payments') }}

),

member_months as (

    select distinct benefit_month as month_start
    from {{ ref('stg_case_system__household_members') }}

)

select 'utbetalningar' as source, month_start
from payment_months
inner join member_months using (month_start)
