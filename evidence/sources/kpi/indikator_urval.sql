-- What an indicator page's lists offer, one row per choice: the years it has tertial values
-- for (typ 'ar'), its tertials ('period', over all years: a list that depends on another input
-- cannot be prerendered) and its areas ('omrade'). One small table for the three lists, so a
-- page needs one query for them.
-- publish.duckdb names both the catalog and the schema "publish": select the schema first.
set schema = 'publish';
select distinct
    indicator_code,
    'ar' as typ,
    year,
    cast(null as varchar) as kod,
    cast(cast(year as integer) as varchar) as namn,
    cast(null as integer) as sortering
from kpi
where period_type = 'tertial'
union all
select distinct
    k.indicator_code,
    'period',
    null,
    k.period,
    case k.period
        when 'T1' then 'T1 (januari–april)'
        when 'T2' then 'T2 (januari–augusti)'
        else 'VB (januari–december)'
    end,
    p.sortering
from kpi as k
inner join period as p on p.year = k.year and p.period = k.period
where k.period_type = 'tertial'
union all
select distinct k.indicator_code, 'omrade', null, a.area_code, a.area_name, a.sortering
from kpi as k
inner join area as a on a.area_code = k.area_code
order by indicator_code, typ, year, sortering
