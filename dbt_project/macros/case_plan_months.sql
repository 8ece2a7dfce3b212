{#- int_case_plan_months, incremental by case (see the model). -#}

{#- One row per case of the snapshot with the fingerprint of everything its rows of
    int_case_plan_months are computed from: its district, opened and closed dates, the set of
    dates its plans were drawn up or revised, and the calendar's first month. (DuckDB's hash()
    may differ in another DuckDB version: every case is then rewritten once, as in a full
    build.) -#}
{% macro case_plan_fingerprints() -%}
    select
        cases.case_id,
        {{ md5_of_parts([
            'cases.district_code', 'cases.opened_on', 'cases.closed_on',
            'plan_dates.dates', 'calendar.first_month',
        ]) }} as case_fingerprint
    from {{ ref('stg_case_system__cases') }} as cases
    cross join (select min(month_start) as first_month from {{ ref('dim_month') }}) as calendar
    left join (
        -- the set of dates as its size and the sum of the dates' hashes, of distinct (case,
        -- date) rows: string_agg(distinct … order by …) took 0,47 s here (stockholm), this 0,03
        select case_id, count(*) || ':' || sum(hash(plan_date)) as dates
        from ({{ case_plan_dates() }})
        group by case_id
    ) as plan_dates on cases.case_id = plan_dates.case_id
{%- endmacro %}

{#- The distinct (case, date) pairs of the dates a case's plans were drawn up or last revised:
    what has_current_plan is computed from, and part of the fingerprint. -#}
{% macro case_plan_dates() -%}
    select case_id, drawn_up_on as plan_date
    from {{ ref('stg_case_system__change_plans') }}
    union
    select case_id, last_revised_on
    from {{ ref('stg_case_system__change_plans') }}
    where last_revised_on is not null
{%- endmacro %}

{#- pre_hook: delete the rows of the cases whose fingerprint changed or that are no longer in
    the snapshot, and every month after the calendar's last. -#}
{% macro delete_changed_case_months() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where month_start > (select max(month_start) from {{ ref('dim_month') }})
            or case_id in (
                select case_id
                from (select distinct case_id, case_fingerprint from {{ this }}) as built
                anti join ({{ case_plan_fingerprints() }}) as current_cases
                    using (case_id, case_fingerprint)
            )
    {%- endif %}
{%- endmacro %}
