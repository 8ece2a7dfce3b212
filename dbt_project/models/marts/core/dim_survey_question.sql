-- Employee-survey questions and the index each belongs to (MOT, LED, STY, REK).

select
    cast(kod as varchar) as question_code,
    cast(namn as varchar) as question_text,
    cast(index_kod as varchar) as index_code,
    cast(index_kod in ('MOT', 'LED', 'STY') as boolean) as in_ami,
    cast(giltig_from as date) as valid_from,
    cast(giltig_tom as date) as valid_to

from {{ ref('ref_enkatfraga') }}
