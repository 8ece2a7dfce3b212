with

source as (

    select * from {{ source('case_system', 'vrakningsforebyggande') }}

),

renamed as (

    select
        ---------- ids
        underrattelse_id as notice_id,
        person_pseudonym as person_id,
        stadsdel_kod as district_code,

        ---------- dates
        inkom_datum as received_on,
        avslutad_datum as closed_on,

        ---------- attributes
        case kon when 'K' then 'kvinnor' when 'M' then 'man' end as gender,
        typ as notice_type_code,
        orsak as reason_code,
        barn_i_hushallet as children_in_household,
        stod_mottaget = 'J' as accepted_support,
        utfall_kod as outcome_code,

        ---------- lineage
        _delivery_id as delivery_id

    from source

)

select * from renamed
