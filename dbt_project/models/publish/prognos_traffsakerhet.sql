-- Prognosens träffsäkerhet (catalogue-v2, "Backtest, published"): for every year with a full
-- year of data and a full year before it, the year-end forecasts made at each month end
-- (int_budget_forecasts) against the year's outcome — the mean absolute percentage error by
-- month of forecast over those years, for the method and for the run rate, per district and
-- for the city. Areas whose outcome is 0 kr have no percentage error.

with

forecasts as (

    select * from {{ ref('int_budget_forecasts') }}

),

complete_years as (

    select distinct year from forecasts
    where area_level = 'stad' and actual_sek is not null

),

areas as (

    select * from {{ ref('dim_area') }}

),

errors as (

    select
        forecasts.area_level,
        forecasts.area_code,
        forecasts.year,
        forecasts.months_to_date,
        abs(forecasts.forecast_sek - forecasts.actual_sek) / abs(forecasts.actual_sek)
            as method_error,
        abs(forecasts.run_rate_sek - forecasts.actual_sek) / abs(forecasts.actual_sek)
            as run_rate_error
    from forecasts
    where forecasts.actual_sek is not null
        and forecasts.actual_sek <> 0
        and forecasts.year - 1 in (select year from complete_years)

)

select
    cast(errors.area_level as varchar) as area_level,
    cast(errors.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(errors.months_to_date as integer) as prognosmanad,
    cast(count(*) as integer) as antal_ar,
    cast(min(errors.year) as integer) as forsta_ar,
    cast(max(errors.year) as integer) as sista_ar,
    -- averaged in year order: an average of doubles depends on the order it meets them, and
    -- the figures must be identical from one refresh of the same data to the next
    cast(avg(errors.method_error order by errors.year) as double) as mape_metod,
    cast(avg(errors.run_rate_error order by errors.year) as double) as mape_rullande_takt
from errors
inner join areas on areas.area_level = errors.area_level and areas.area_code = errors.area_code
group by all
