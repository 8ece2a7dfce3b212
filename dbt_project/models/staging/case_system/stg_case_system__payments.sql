with

source as (

    select * from {{ source('case_system', 'utbetalningar') }}

),

renamed as (

    select
        ---------- ids
        utbetalning_id as payment_id,
        arende_id as case_id,
        hushall_id as household_id,
        stadsdel_kod as district_code,

        ---------- dates
        bidragsmanad as benefit_month,
        utbetalningsdatum as paid_on,

        ---------- amounts and codes
        cast(belopp as decimal(18, 4)) as amount_sek,
        bistandstyp as assistance_type,
        forsorjningshinder_kod as barrier_code,
        lo_andamal as lo_purpose,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
