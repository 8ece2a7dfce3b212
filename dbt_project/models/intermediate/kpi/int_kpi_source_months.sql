-- Months for which each KPI source has data (docs/indicator-rules.md §6). A reporting period is
-- published only when every month it needs is here (int_kpi_available_periods).
--   utbetalningar        months with a current delivery of both utbetalningar and hushallsmedlemmar
--   arenden, insatser,   months from the first utbetalningar month (as above) whose last day
--   vrakningsforebyggande, is before the extraction date of the export's latest snapshot
--   akutboende, fut_anmalningar, synpunkter (catalogue v2: snapshots like arenden)
--   franvaro             months delivered
--   medarbetarenkat,
--   brukarenkat, budget  all 12 months of every year whose file is delivered

with

deliveries as (

    select * from {{ ref('stg_loader__deliveries') }}
    where is_current

),

payment_months as (

    select key_date as month_start from deliveries where export_name = 'utbetalningar'

),

member_months as (

    select key_date as month_start from deliveries where export_name = 'hushallsmedlemmar'

),

snapshots as (

    select export_name, max(key_date) as extracted_on
    from deliveries
    where export_name in (
        'arenden', 'insatser', 'vrakningsforebyggande', 'akutboende', 'fut_anmalningar',
        'synpunkter'
    )
    group by export_name

),

snapshot_months as (

    select
        snapshots.export_name as source,
        cast(generated.range as date) as month_start
    from snapshots
    cross join (
        select min(month_start) as first_month
        from payment_months
        inner join member_months using (month_start)
    ) as first_payment,
        range(
            first_payment.first_month,
            cast(date_trunc('month', snapshots.extracted_on) as date) + interval 1 month,
            interval 1 month
        ) as generated
    where last_day(cast(generated.range as date)) < snapshots.extracted_on

),

survey_months as (

    select
        deliveries.export_name as source,
        cast(generated.range as date) as month_start
    from deliveries,
        range(deliveries.key_date, deliveries.key_date + interval 12 month, interval 1 month)
            as generated
    where deliveries.export_name in ('medarbetarenkat', 'brukarenkat', 'budget')

),

unioned as (

    select 'utbetalningar' as source, month_start
    from payment_months
    inner join member_months using (month_start)

    union all

    select * from snapshot_months

    union all

    select 'franvaro', key_date from deliveries where export_name = 'franvaro'

    union all

    select * from survey_months

)

select distinct
    cast(source as varchar) as source,
    cast(month_start as date) as month_start

from unioned
