-- Long-term assistance (långvarigt ekonomiskt bistånd): one row per person and month e in which
-- the person is adult (18+ on the last day of e) and was a recipient — anywhere — in at least
-- 10 of the 12 months ending with e. The person belongs to the district and gender of their
-- latest recipient month L in that window (`latest_month`).
--
-- Set-based, without expanding persons over all months: with at most two months missing, e is
-- L, L + 1 or L + 2 for the latest recipient month L ≤ e, and the count for e = L + k is the
-- count of recipient months in [L + k − 11, L] — a window frame of 11 − k months before L.
-- Incremental by window end month (macros/incremental.sql): rows ending in e ≥ `rebuild_from`
-- come from L ≥ e − 2 and its 11 months before, so a rebuild reads 13 months back.

{{ month_incremental_config('window_end_month') }}

with

recipients as (

    select * from {{ ref('int_recipient_months') }}
    where {{ since_rebuild('benefit_month', 13) }}

),

counted as (

    select
        person_id,
        benefit_month,
        month_index,
        district_code,
        gender,
        birth_month,
        lead(month_index) over (partition by person_id order by month_index) as next_month_index,
        count(*) over (
            partition by person_id order by month_index range between 11 preceding and current row
        ) as months_k0,
        count(*) over (
            partition by person_id order by month_index range between 10 preceding and current row
        ) as months_k1,
        count(*) over (
            partition by person_id order by month_index range between 9 preceding and current row
        ) as months_k2
    from recipients

),

candidates as (

    select
        counted.*,
        offsets.k,
        cast(counted.benefit_month + to_months(offsets.k) as date) as window_end_month,
        case offsets.k when 0 then months_k0 when 1 then months_k1 else months_k2 end
            as recipient_months_in_window
    from counted
    cross join (values (0), (1), (2)) as offsets (k)
    where next_month_index is null or counted.month_index + offsets.k < next_month_index

)

select
    person_id,
    window_end_month,
    benefit_month as latest_month,
    district_code,
    gender,
    recipient_months_in_window,
    {{ age_at_month_end('birth_month', 'window_end_month') }} as age_at_window_end

from candidates
where recipient_months_in_window >= 10
    and {{ age_at_month_end('birth_month', 'window_end_month') }} >= 18
    and {{ since_rebuild('window_end_month') }}
