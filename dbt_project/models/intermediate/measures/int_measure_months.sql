-- One row per measure episode and calendar month in which it was active: from its start month
-- to its end month, or — while ongoing — to the month of the snapshot's extraction date, within
-- the calendar of dim_month. Flags the start and end months.

with

measures as (

    select * from {{ ref('stg_case_system__measures') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

snapshot as (

    select max(key_date) as extracted_on
    from {{ ref('stg_loader__deliveries') }}
    where export_name = 'insatser' and is_current

)

select
    measures.measure_id,
    months.month_start,
    measures.person_id,
    measures.district_code,
    measures.gender,
    measures.measure_type_code,
    measures.outcome_code,
    months.month_start = cast(date_trunc('month', measures.started_on) as date) as is_start_month,
    measures.ended_on is not null
        and months.month_start = cast(date_trunc('month', measures.ended_on) as date)
        as is_end_month

from measures
cross join snapshot
inner join months
    on months.month_start >= cast(date_trunc('month', measures.started_on) as date)
    and months.month_start <= cast(date_trunc('month', coalesce(
        measures.ended_on, snapshot.extracted_on, measures.started_on
    )) as date)
