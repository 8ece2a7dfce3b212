-- fct_indicator_value keeps observations with different eligible_from apart (each group of
-- months is matched with the periods that have passed its date), so a subject or a person must
-- not have observations of one indicator with different eligible_from dates — they would count
-- twice in a period where both have passed.

select indicator_code, 'subject' as counted, subject_id as id
from {{ ref('int_kpi_observations') }}
where subject_id is not null
group by indicator_code, subject_id
having count(distinct coalesce(eligible_from, date '1900-01-01')) > 1

union all

select indicator_code, 'person', person_id
from {{ ref('int_kpi_observations') }}
where person_id is not null
group by indicator_code, person_id
having count(distinct coalesce(eligible_from, date '1900-01-01')) > 1
