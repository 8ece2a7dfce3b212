-- The tertial values (T1, T2, VB) of every indicator, area and year in one row: the genders
-- side by side, the target and status of the whole (alla), and last year's VB value. Every
-- table the pages show per period reads this instead of publish.kpi (shaped once here, in
-- native DuckDB, rather than in each page query at build time and in the browser).
-- publish.duckdb names both the catalog and the schema "publish": select the schema first.
set schema = 'publish';
select
    k.indicator_code,
    k.indicator_name,
    k.unit,
    k.area_level,
    k.area_code,
    k.area_name,
    a.sortering,
    k.year,
    k.period,
    k.month_date,
    max(k.value) filter (where k.gender = 'alla') as utfall,
    coalesce(bool_or(k.is_suppressed) filter (where k.gender = 'alla'), false) as utfall_dold,
    -- why a value is hidden: fa_individer (1–4) or komplementar (so that another hidden value
    -- cannot be computed from the shown ones); the pages mark the two differently
    max(k.suppression_reason) filter (where k.gender = 'alla') as utfall_orsak,
    max(k.value) filter (where k.gender = 'man') as man,
    coalesce(bool_or(k.is_suppressed) filter (where k.gender = 'man'), false) as man_dold,
    max(k.suppression_reason) filter (where k.gender = 'man') as man_orsak,
    max(k.value) filter (where k.gender = 'kvinnor') as kvinnor,
    coalesce(bool_or(k.is_suppressed) filter (where k.gender = 'kvinnor'), false) as kvinnor_dold,
    max(k.suppression_reason) filter (where k.gender = 'kvinnor') as kvinnor_orsak,
    max(k.target) filter (where k.gender = 'alla') as arsmal,
    max(k.target_kf) filter (where k.gender = 'alla') as kf_arsmal,
    max(k.status) filter (where k.gender = 'alla') as status,
    -- Utfall VB föregående år: last year's VB value (alla); a dash when it was suppressed.
    any_value(fg.value) as fg_ar,
    coalesce(any_value(fg.is_suppressed), false) as fg_ar_dold,
    any_value(fg.suppression_reason) as fg_ar_orsak
from kpi as k
inner join area as a on a.area_level = k.area_level and a.area_code = k.area_code
left join kpi as fg
    on fg.indicator_code = k.indicator_code
    and fg.area_code = k.area_code
    and fg.gender = 'alla'
    and fg.year = k.year - 1
    and fg.period = 'VB'
where k.period_type = 'tertial'
group by all
order by k.indicator_code, a.sortering, k.year, k.period
