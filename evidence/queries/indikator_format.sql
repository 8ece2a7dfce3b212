-- Format tag per indicator (see .evidence/customization/custom-formatting.json): shares with
-- two decimals in per cent, kronor without decimals, indices with one decimal, counts without
-- decimals when every published value is a whole number (else one decimal: monthly averages).
select
    i.indicator_code,
    case i.enhet
        when 'andel' then 'andel2'
        when 'kr' then 'kr'
        when 'index' then 'tal1'
        when 'antal' then
            case when coalesce(bool_and(k.value = round(k.value)), true) then 'tal0' else 'tal1' end
        else 'tal1'
    end as fmt
from kpi.indicator as i
-- only counts need their values (this query is part of most queries of the indicator pages)
left join kpi.kpi as k on k.indicator_code = i.indicator_code and i.enhet = 'antal'
group by i.indicator_code, i.enhet
