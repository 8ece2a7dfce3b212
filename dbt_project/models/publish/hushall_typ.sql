-- Bidragshushåll per area, month and household type (Socialstyrelsen's codes), for the
-- household page: int_household_breakdowns (zero-filled, with complementary suppression).

with

breakdown as (

    select * from {{ ref('int_household_breakdowns') }}
    where breakdown = 'hushallstyp'

),

areas as (

    select * from {{ ref('dim_area') }}

),

months as (

    select * from {{ ref('dim_month') }}

)

select
    cast(breakdown.area_level as varchar) as area_level,
    cast(breakdown.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(months.year as integer) as year,
    cast(months.period_code as varchar) as period,
    cast(breakdown.benefit_month as date) as month_date,
    cast(breakdown.category_code as integer) as hushallstyp_kod,
    cast(breakdown.category_name as varchar) as hushallstyp_namn,
    cast(case when not breakdown.is_suppressed then breakdown.households end as bigint)
        as antal_hushall,
    cast(breakdown.is_suppressed as boolean) as is_suppressed

from breakdown
inner join areas
    on areas.area_level = breakdown.area_level and areas.area_code = breakdown.area_code
inner join months on months.month_start = breakdown.benefit_month
