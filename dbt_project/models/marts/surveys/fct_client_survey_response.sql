-- Client survey: one row per response (brukarenkät), in the district of the unit that served
-- the client.

select
    cast(response_id as varchar) as response_id,
    cast(responded_on as date) as responded_on,
    cast(date_trunc('month', responded_on) as date) as response_month,
    cast(district_code as varchar) as district_code,
    cast(gender as varchar) as gender,
    cast(activity_code as varchar) as activity_code,
    cast(situation_code as varchar) as situation_code,
    cast(situation_code = 'FORBATTRAD' as boolean) as is_improved

from {{ ref('stg_surveys__client_responses') }}
