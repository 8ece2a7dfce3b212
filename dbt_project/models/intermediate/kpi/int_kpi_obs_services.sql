-- KPI observations of catalogue v2's own exports (spec/catalogue-v2.md): eviction prevention,
-- emergency housing, FUT reports and complaints, each in its record's district. Notices and
-- emergency-housing decisions carry the person's gender and count persons (pseudonymised
-- tenant or applicant) in n_individuals; FUT reports count cases (arende_id); complaints count
-- the reports themselves (no personal data) and have no gender.
--   BO_AVHYSNING_AVVARJD   at the closing month of a notice: 1 ÷ 1 unless its outcome is
--                          VERKSTALLD (ref_vrakning_utfall.verkstalld), then 0 ÷ 1; subject the
--                          notice (open notices are not counted)
--   BO_STOD_VID_KONTAKT    at the month received: accepted support (J) ? 1 : 0 ÷ 1
--   BO_VERKSTALLDA         at the closing month of a VERKSTALLD notice: 1
--   BO_VRAKNING_BARN       the same, when barn_i_hushallet > 0
--   BO_BARNFAMILJ_HOTELL   at the start month of a hotel or hostel decision for a household with
--                          children: the applicant (subject = person, counted once per period)
--   FU_FORHANDSBEDOMD_3MAN at the month of the due date (inkom_datum + 3 months): assessed on or
--                          before it ? 1 : 0 ÷ 1 (fct_fut_report's rule)
--   FU_ATERKRAV            at the month of the repayment decision: 1 (subject the report)
--   SY_KLAGOMAL            at the month received, typ KLAGOMAL: 1
--   SY_LEX_SARAH           at the month received, lex_sarah J: 1
--   SY_ATERKOPPLING        complaints received in the period: share with feedback given by the
--                          period's end. Two subjects per complaint, so the numerator can
--                          depend on the period's end without a new input shape: the complaint
--                          (0 ÷ 1 at its month received) and, when feedback was given, its
--                          feedback (1 ÷ 0 at the month received, eligible_from = the feedback
--                          date: it counts only in periods ending on or after it).

with

notices as (

    select * from {{ ref('stg_case_system__eviction_notices') }}

),

outcomes as (

    select * from {{ ref('ref_vrakning_utfall') }}

),

decisions as (

    select * from {{ ref('stg_case_system__emergency_housing') }}

),

housing_types as (

    select * from {{ ref('ref_boendetyp') }}

),

reports as (

    select * from {{ ref('stg_case_system__fut_reports') }}

),

feedback as (

    select * from {{ ref('stg_quality__feedback') }}

),

closed_notices as (

    select notices.*, outcomes.verkstalld as is_carried_out
    from notices
    inner join outcomes on outcomes.kod = notices.outcome_code
    where notices.closed_on is not null

),

complaints as (

    select * from feedback where feedback_type_code = 'KLAGOMAL'

),

rows as (

    select
        'BO_AVHYSNING_AVVARJD' as indicator_code,
        closed_on as observed_on,
        district_code,
        gender,
        notice_id as subject_id,
        person_id,
        case when is_carried_out then 0 else 1 end as numerator,
        1 as denominator,
        cast(null as date) as eligible_from
    from closed_notices

    union all

    select 'BO_VERKSTALLDA', closed_on, district_code, gender, notice_id, person_id, 1, null, null
    from closed_notices
    where is_carried_out

    union all

    select 'BO_VRAKNING_BARN', closed_on, district_code, gender, notice_id, person_id, 1, null, null
    from closed_notices
    where is_carried_out and children_in_household > 0

    union all

    select
        'BO_STOD_VID_KONTAKT', received_on, district_code, gender, notice_id, person_id,
        case when accepted_support then 1 else 0 end, 1, null
    from notices

    union all

    select
        'BO_BARNFAMILJ_HOTELL', decisions.started_on, decisions.district_code, decisions.gender,
        decisions.person_id, decisions.person_id, 1, null, null
    from decisions
    inner join housing_types on housing_types.kod = decisions.housing_type_code
    where housing_types.hotell_vandrarhem and decisions.children_in_household > 0

    union all

    select
        'FU_FORHANDSBEDOMD_3MAN', received_on + interval 3 month, district_code, null, report_id,
        case_id,
        case when assessed_on <= cast(received_on + interval 3 month as date) then 1 else 0 end,
        1, null
    from reports

    union all

    select
        'FU_ATERKRAV', repayment_decided_on, district_code, null, report_id, case_id, 1, null, null
    from reports
    where repayment_decided_on is not null

    union all

    select 'SY_KLAGOMAL', received_on, district_code, null, feedback_id, feedback_id, 1, null, null
    from complaints

    union all

    select 'SY_LEX_SARAH', received_on, district_code, null, feedback_id, feedback_id, 1, null, null
    from feedback
    where is_lex_sarah

    union all

    select
        'SY_ATERKOPPLING', received_on, district_code, null, feedback_id, feedback_id, 0, 1, null
    from complaints

    union all

    select
        'SY_ATERKOPPLING', received_on, district_code, null, feedback_id || '/aterkoppling', null,
        1, 0, answered_on
    from complaints
    where answered_on is not null

)

select
    indicator_code,
    cast(date_trunc('month', observed_on) as date) as obs_month,
    'stadsdel_kod' as origin_level,
    district_code as origin_code,
    gender,
    subject_id,
    person_id,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(eligible_from as date) as eligible_from

from rows
