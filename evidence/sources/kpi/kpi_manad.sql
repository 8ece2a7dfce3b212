-- The monthly values of every indicator and area in one row per month: the genders side by
-- side and the target of the whole (alla). The pages' monthly charts and tables read this
-- instead of publish.kpi.
-- publish.duckdb names both the catalog and the schema "publish": select the schema first.
set schema = 'publish';
select
    k.indicator_code,
    k.area_level,
    k.area_code,
    k.area_name,
    a.sortering,
    k.year,
    k.month_date,
    max(k.value) filter (where k.gender = 'alla') as utfall,
    coalesce(bool_or(k.is_suppressed) filter (where k.gender = 'alla'), false) as utfall_dold,
    max(k.target) filter (where k.gender = 'alla') as arsmal,
    -- whether the month has a row for men and for women (indicators split by gender)
    count(*) filter (where k.gender = 'man') > 0 as har_man,
    max(k.value) filter (where k.gender = 'man') as man,
    count(*) filter (where k.gender = 'kvinnor') > 0 as har_kvinnor,
    max(k.value) filter (where k.gender = 'kvinnor') as kvinnor
from kpi as k
inner join area as a on a.area_level = k.area_level and a.area_code = k.area_code
where k.period_type = 'manad'
group by all
order by k.indicator_code, a.sortering, k.month_date
