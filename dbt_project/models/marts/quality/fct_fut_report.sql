-- FUT: one row per report of a suspected incorrect payment (fut_anmalningar, latest snapshot).
-- The pre-assessment is due 3 calendar months after receipt (inkom_datum + 3 months, DuckDB's
-- month arithmetic: 30 November + 3 months = 28/29 February); it is in time when made on or
-- before that day. A report not yet assessed is late once the due date has passed.

with

reports as (

    select * from {{ ref('stg_case_system__fut_reports') }}

),

dated as (

    select reports.*, cast(received_on + interval 3 month as date) as due_on
    from reports

)

select
    ---------- keys
    cast(report_id as varchar) as report_id,
    cast(case_id as varchar) as case_id,
    cast(district_code as varchar) as district_code,
    cast(decision_code as varchar) as decision_code,

    ---------- dates
    cast(received_on as date) as received_on,
    cast(due_on as date) as assessment_due_on,
    cast(assessed_on as date) as assessed_on,
    cast(repayment_decided_on as date) as repayment_decided_on,
    cast(date_trunc('month', due_on) as date) as due_month,

    ---------- measures
    cast(coalesce(assessed_on <= due_on, false) as boolean) as is_assessed_in_time,
    cast(repayment_sek as decimal(18, 4)) as repayment_sek,
    cast(reported_to_police as boolean) as reported_to_police

from dated
