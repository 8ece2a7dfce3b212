-- Households star: one row per household and bidragsmånad with any payment.

select
    cast(household_id as varchar) as household_id,
    cast(benefit_month as date) as benefit_month,
    cast(district_code as varchar) as district_code,
    cast(barrier_code as varchar) as barrier_code,
    cast(net_sek as decimal(18, 2)) as net_sek,
    cast(net_fs_sek as decimal(18, 2)) as net_fs_sek,
    cast(net_lo_sek as decimal(18, 2)) as net_lo_sek,
    cast(is_recipient_household as boolean) as is_recipient_household

from {{ ref('int_household_months') }}
