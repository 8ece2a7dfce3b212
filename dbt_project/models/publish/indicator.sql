-- The indicator catalogue as the pages and the methodology page read it.

select
    cast(indicator_code as varchar) as indicator_code,
    cast(sortering as integer) as sortering,
    cast(namn as varchar) as namn,
    cast(definition as varchar) as definition,
    cast(enhet as varchar) as enhet,
    cast(riktning as varchar) as riktning,
    cast(tolerans as double) as tolerans,
    cast(periodicitet as varchar) as periodicitet,
    cast(kon_uppdelad as boolean) as kon_uppdelad,
    cast(kolada_kod as varchar) as kolada_kod,
    cast(jamfor_med as varchar) as jamfor_med

from {{ ref('indicators') }}
