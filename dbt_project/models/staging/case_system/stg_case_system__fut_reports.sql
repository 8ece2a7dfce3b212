with

source as (

    select * from {{ source('case_system', 'fut_anmalningar') }}

),

renamed as (

    select
        ---------- ids
        anmalan_id as report_id,
        arende_id as case_id,
        stadsdel_kod as district_code,

        ---------- dates
        inkom_datum as received_on,
        forhandsbedomning_datum as assessed_on,
        aterkrav_datum as repayment_decided_on,

        ---------- attributes
        beslut as decision_code,
        cast(aterkrav_belopp as decimal(18, 4)) as repayment_sek,
        case polisanmald when 'J' then true when 'N' then false end as reported_to_police,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
