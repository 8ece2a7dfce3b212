-- What int_kpi_disclosure decides an indicator's year from, as a fingerprint: the year's rows of
-- marts.fct_indicator_value and the year before's (the previous-year values), and the catalogue
-- row's aggregation and gender split (what adds up, and in which groups). Each year's part is a
-- multiset hash (row count and the sum of the rows' 64-bit hashes): independent of row order,
-- changed by any added, removed or changed row — also a row of an area that first came into
-- scope with a later year's data (fct_indicator_value gives such an area rows in every year).
-- The reference data (areas, periods) is not in it: when it changes, the refresh rebuilds
-- everything (orchestration/incremental.py).

with

facts as (

    select * from {{ ref('fct_indicator_value') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

years as (

    select
        indicator_code,
        year,
        count(*) as n_rows,
        sum(hash(
            area_level, area_code, period, gender, value, previous_year_value, is_suppressed
        )::hugeint) as rows_hash
    from facts
    group by indicator_code, year

)

select
    cast(this_year.indicator_code as varchar) as indicator_code,
    cast(this_year.year as integer) as year,
    {{ md5_of_parts([
        'this_year.n_rows', 'this_year.rows_hash',
        'last_year.n_rows', 'last_year.rows_hash',
        'catalogue.aggregation', 'catalogue.kon_uppdelad'
    ]) }} as input_fingerprint
from years as this_year
left join years as last_year
    on last_year.indicator_code = this_year.indicator_code
    and last_year.year = this_year.year - 1
left join catalogue on catalogue.indicator_code = this_year.indicator_code
