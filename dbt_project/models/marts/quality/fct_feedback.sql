-- Complaints and other feedback: one row per report in the synpunkter register (latest
-- snapshot) with its sender, type, category, lex Sarah flag, feedback and action, and the
-- tertial it was received in (1 = January–April, 2 = May–August, 3 = September–December: the
-- columns T1, T2 and VB of the seeds' table "Redovisning av synpunkter och klagomål").

with

feedback as (

    select * from {{ ref('stg_quality__feedback') }}

)

select
    ---------- keys
    cast(feedback_id as varchar) as feedback_id,
    cast(district_code as varchar) as district_code,
    cast(activity_code as varchar) as activity_code,
    cast(sender_code as varchar) as sender_code,
    cast(feedback_type_code as varchar) as feedback_type_code,
    cast(category_code as varchar) as category_code,

    ---------- dates
    cast(received_on as date) as received_on,
    cast(answered_on as date) as answered_on,
    cast(year(received_on) as integer) as received_year,
    cast((month(received_on) - 1) // 4 + 1 as integer) as received_tertial,

    ---------- measures
    cast(feedback_type_code = 'KLAGOMAL' as boolean) as is_complaint,
    cast(is_lex_sarah as boolean) as is_lex_sarah,
    cast(action_taken as boolean) as action_taken

from feedback
