-- One row per indicator of the catalogue: what the indicator pages and the ILS tables show
-- about it besides its values. The format tag, the Swedish texts, the first view and the
-- Kolada pair are worked out once here, not in every page's queries.
-- publish.duckdb names both the catalog and the schema "publish": select the schema first.
set schema = 'publish';
with format as (
    -- Format tag (see .evidence/customization/custom-formatting.json): shares with two
    -- decimals in per cent, kronor without decimals, indices with one decimal, counts without
    -- decimals when every published value is a whole number (else one decimal: monthly
    -- averages).
    select
        i.indicator_code,
        case i.enhet
            when 'andel' then 'andel2'
            when 'kr' then 'kr'
            when 'index' then 'tal1'
            when 'antal' then
                case when coalesce(bool_and(k.value = round(k.value)), true) then 'tal0'
                    else 'tal1' end
            else 'tal1'
        end as fmt
    from indicator as i
    left join kpi as k on k.indicator_code = i.indicator_code and i.enhet = 'antal'
    group by i.indicator_code, i.enhet
),

senaste as (
    -- The indicator's latest complete tertial (publish.period.is_complete: every month
    -- delivered, VB only once December is), the latest at all while it has none complete:
    -- the indicator page opens on it, as the other pages on publish.period.is_default.
    select
        k.indicator_code,
        arg_max(k.year, [p.is_complete::integer, k.year, p.sortering]) as senaste_ar,
        arg_max(k.period, [p.is_complete::integer, k.year, p.sortering]) as senaste_period
    from kpi as k
    inner join period as p on p.year = k.year and p.period = k.period
    where k.period_type = 'tertial'
    group by k.indicator_code
),

kolada_par as (
    -- A Kolada-comparable measure and the city's indicator it is compared with.
    select
        ko.indicator_code as ko_kod,
        ko.namn as ko_namn,
        ko.kolada_kod,
        eb.indicator_code as eb_kod,
        eb.namn as eb_namn,
        case ko.kolada_kod
            when 'N31807' then 'Kolada räknar alla invånare, även barn, som fått bistånd någon månad under året och delar med hela befolkningen den 31 december samma år. Stadens indikator är genomsnittet per månad av vuxna mottagare delat med den vuxna befolkningen året före. Den som bara fått bistånd en månad räknas helt hos Kolada men med en tolftedel hos staden, så Kolada-talet blir högre.'
            when 'N31816' then 'Kolada räknar vuxna med minst 10 biståndsmånader under kalenderåret, i området för den sista biståndsmånaden, och delar med den vuxna befolkningen den 31 december samma år. Stadens indikator räknar 10 av de 12 månader som slutar med periodens sista månad (för VB samma år), vuxna vid periodens slut, mot befolkningen året före. Talen ligger därför nära varandra; skillnaden kommer främst från befolkningsåret.'
            when 'U31803' then 'Kolada räknar barn som fått bistånd någon månad under året och delar med befolkningen 0–17 år den 31 december samma år. Staden räknar, som stadens statistik alltid gjort, genomsnittet över årets månader mot befolkningen året före. Kolada-talet blir därför högre.'
            when 'N31910' then 'Kolada räknar unika hushåll som haft bistånd någon gång under året. Stadens indikator är genomsnittligt antal bidragshushåll per månad. Hushåll som bara har bistånd en del av året räknas helt hos Kolada, så Kolada-talet blir högre.'
        end as forklaring
    from indicator as ko
    inner join indicator as eb on eb.indicator_code = ko.jamfor_med
    where ko.kolada_kod is not null
)

select
    i.indicator_code,
    i.sortering,
    i.namn,
    i.definition,
    i.enhet,
    i.periodicitet,
    coalesce(i.kon_uppdelad, false) as kon_uppdelad,
    i.kolada_kod,
    f.fmt,
    s.senaste_ar,
    s.senaste_period,
    case i.riktning
        when 'lagre_battre' then 'Lägre värde är bättre.'
        when 'hogre_battre' then 'Högre värde är bättre.'
        else 'Ingen riktning: status mot mål bedöms inte.'
    end as riktning_text,
    case i.enhet
        when 'andel' then 'andel (visas i procent)'
        when 'antal' then 'antal'
        when 'kr' then 'kronor'
        when 'index' then 'index (0–100)'
        else i.enhet
    end as enhet_text,
    case i.periodicitet
        when 'ar' then 'årsvis (VB)'
        else 'per tertial (T1, T2, VB) och månad'
    end as periodicitet_text,
    'Perioder är kumulativa (T1 januari–april, T2 januari–augusti, VB hela året) och redovisas '
        || 'först när alla månader har levererats. Värden som bygger på färre än 5 personer, '
        || 'hushåll, ärenden eller svar redovisas inte (–). '
        || case when coalesce(i.kon_uppdelad, false)
            then 'Kvinnor och män räknas var för sig i både täljare och nämnare. '
            else 'Indikatorn redovisas inte per kön. ' end
        || case when i.riktning is null then ''
            else 'Status: uppfylls när utfallet når årsmålet, uppfylls delvis när det missar med '
                || 'högst ' || cast(cast(round(i.tolerans * 100) as integer) as varchar)
                || ' % av målet, annars uppfylls ej.' end as regel_text,
    -- The Kolada pair the indicator belongs to (either side), if any.
    p.ko_kod as par_ko_kod,
    p.ko_namn as par_ko_namn,
    p.kolada_kod as par_kolada_kod,
    p.eb_kod as par_eb_kod,
    p.eb_namn as par_eb_namn,
    p.forklaring as par_forklaring,
    fko.fmt as par_ko_fmt,
    feb.fmt as par_eb_fmt
from indicator as i
inner join format as f on f.indicator_code = i.indicator_code
left join senaste as s on s.indicator_code = i.indicator_code
left join kolada_par as p on i.indicator_code in (p.ko_kod, p.eb_kod)
left join format as fko on fko.indicator_code = p.ko_kod
left join format as feb on feb.indicator_code = p.eb_kod
-- (one pair per indicator; the first should the catalogue ever give two)
qualify row_number() over (partition by i.indicator_code order by p.ko_kod) = 1
order by i.sortering
