-- The budget per district and month (catalogue-v2, "Budget follow-up"): a district and type
-- with monthly rows has those months; one without (a row for the year) has the year's amount
-- spread evenly over its 12 months in whole öre — January–November a twelfth rounded down to
-- the öre, December the rest, so the months add up to the year exactly. Summed over the types
-- (FS + LO).

with

budget as (

    select *, cast(round(amount_sek * 100) as bigint) as year_ore
    from {{ ref('stg_finance__budget') }}

),

spread as (

    select
        budget.district_code,
        budget.budget_year,
        coalesce(budget.budget_month, cast(months.month_start as date)) as month_start,
        case
            when budget.budget_month is not null then budget.amount_sek
            when month(months.month_start) < 12 then budget.year_ore // 12 / 100
            else (budget.year_ore - 11 * (budget.year_ore // 12)) / 100
        end as budget_sek
    from budget
    left join (
        select cast(range as date) as month_start
        from range(date '2000-01-01', date '2100-01-01', interval 1 month)
    ) as months
        on budget.budget_month is null and year(months.month_start) = budget.budget_year

)

select
    cast(district_code as varchar) as district_code,
    cast(budget_year as integer) as budget_year,
    cast(month_start as date) as month_start,
    cast(sum(cast(budget_sek as decimal(18, 4))) as decimal(18, 4)) as budget_sek
from spread
group by all
