-- Population used for each reporting year Y, per district and gender: the `befolkning` of
-- 31 December Y − 1, or the latest earlier year when Y − 1 is missing (spec: common definitions).
-- Also the population of 31 December of Y itself (`same_year_*`), which Kolada's figures use.

with

population as (

    select * from {{ ref('stg_statistics__population') }}

),

yearly as (

    select
        population_year,
        district_code,
        gender,
        sum(population) as population_total,
        sum(population) filter (where age >= 18) as population_adults,
        sum(population) filter (where age < 18) as population_children
    from population
    group by population_year, district_code, gender

),

reporting_years as (

    select distinct year as reporting_year from {{ ref('dim_month') }}

),

basis as (

    select reporting_years.reporting_year, max(yearly.population_year) as basis_year
    from reporting_years
    inner join yearly on yearly.population_year <= reporting_years.reporting_year - 1
    group by reporting_years.reporting_year

)

select
    basis.reporting_year,
    basis.basis_year,
    yearly.district_code,
    yearly.gender,
    yearly.population_total,
    coalesce(yearly.population_adults, 0) as population_adults,
    coalesce(yearly.population_children, 0) as population_children,
    same_year.population_total as same_year_population_total,
    coalesce(same_year.population_adults, 0) as same_year_population_adults,
    coalesce(same_year.population_children, 0) as same_year_population_children

from basis
inner join yearly on yearly.population_year = basis.basis_year
left join yearly as same_year
    on same_year.population_year = basis.reporting_year
    and same_year.district_code = yearly.district_code
    and same_year.gender = yearly.gender
