-- The tertial report (ILS layout): per area, year and tertial (T1, T2, VB) every nämndmål valid
-- that year under its KF:s mål för verksamhetsområdet and inriktningsmål, with one row per
-- indicator placed under it (ref_indikator_namndmal) and the goal judgements. The figures are
-- publish.kpi's as they are — suppressed values stay null and flagged — so the Rapport page and
-- the Word documents show exactly the published numbers. A goal without indicators has one row
-- with no indicator.

with

kpi as (

    select * from {{ ref('kpi') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

goals as (

    select * from {{ ref('ref_malhierarki') }}

),

placements as (

    select * from {{ ref('ref_indikator_namndmal') }}
    where namndmal_kod is not null

),

areas as (

    select * from {{ ref('area') }}

),

reports as (

    -- a report exists for an area and tertial once the tertial is published for an indicator
    -- of the payments export, whose delivered months make a period complete: a year's budget
    -- or survey file alone (published for VB before the year has ended) makes no report
    select distinct kpi.area_level, kpi.area_code, kpi.year, kpi.period
    from kpi
    inner join catalogue on catalogue.indicator_code = kpi.indicator_code
    where kpi.period_type = 'tertial'
        and catalogue.periodicitet = 'tertial'
        and catalogue.source = 'utbetalningar'

),

cells as (

    -- the ILS cells of one indicator, area and tertial: genders side by side; target, status and
    -- last year's VB value from the whole (alla)
    select
        indicator_code,
        area_level,
        area_code,
        year,
        period,
        max(value) filter (where gender = 'alla') as utfall,
        coalesce(bool_or(is_suppressed) filter (where gender = 'alla'), false) as utfall_dold,
        max(value) filter (where gender = 'man') as man,
        coalesce(bool_or(is_suppressed) filter (where gender = 'man'), false) as man_dold,
        max(value) filter (where gender = 'kvinnor') as kvinnor,
        coalesce(bool_or(is_suppressed) filter (where gender = 'kvinnor'), false) as kvinnor_dold,
        max(previous_year_value) filter (where gender = 'alla') as fg_ar,
        coalesce(
            bool_or(is_suppressed or previous_year_suppression_reason is not null)
                filter (where gender = 'alla'),
            false
        ) as fg_ar_dold,
        -- why a hidden cell is hidden: fa_individer (fewer than 5) or komplementar (so that a
        -- hidden value cannot be computed from the shown ones)
        max(suppression_reason) filter (where gender = 'alla') as utfall_orsak,
        max(suppression_reason) filter (where gender = 'man') as man_orsak,
        max(suppression_reason) filter (where gender = 'kvinnor') as kvinnor_orsak,
        max(coalesce(previous_year_suppression_reason, suppression_reason))
            filter (where gender = 'alla') as fg_ar_orsak,
        max(target) filter (where gender = 'alla') as arsmal,
        max(target_kf) filter (where gender = 'alla') as kf_arsmal,
        max(status) filter (where gender = 'alla') as status
    from kpi
    where period_type = 'tertial'
    group by all

),

formats as (

    -- the pages' format tags (evidence/sources/kpi/indikator_sida.sql): shares in per cent with
    -- two decimals, kronor without decimals, indices with one, counts without decimals when every
    -- published value is whole
    select
        catalogue.indicator_code,
        case catalogue.enhet
            when 'andel' then 'andel2'
            when 'kr' then 'kr'
            when 'index' then 'tal1'
            when 'antal' then
                case when coalesce(bool_and(kpi.value = round(kpi.value)), true) then 'tal0'
                    else 'tal1' end
            else 'tal1'
        end as format_tag
    from catalogue
    left join kpi on kpi.indicator_code = catalogue.indicator_code and catalogue.enhet = 'antal'
    group by catalogue.indicator_code, catalogue.enhet

),

report_goals as (

    select reports.*, goals.*
    from reports
    inner join goals
        on reports.year >= goals.giltig_from_ar
        and reports.year <= coalesce(goals.giltig_tom_ar, 9999)

),

placed as (

    -- the indicators placed under each goal that year and reported at the area's level
    select
        report_goals.area_level,
        report_goals.area_code,
        report_goals.year,
        report_goals.period,
        report_goals.namndmal_kod,
        catalogue.indicator_code,
        catalogue.namn as indicator_name,
        catalogue.enhet as unit,
        catalogue.periodicitet,
        coalesce(catalogue.kon_uppdelad, false) as kon_uppdelad,
        catalogue.sortering as indicator_sortering
    from report_goals
    inner join placements
        on placements.namndmal_kod = report_goals.namndmal_kod
        and report_goals.year >= placements.giltig_from_ar
        and report_goals.year <= coalesce(placements.giltig_tom_ar, 9999)
    inner join catalogue
        on catalogue.indicator_code = placements.indicator_code
        and list_contains(string_split(catalogue.area_levels, ','), report_goals.area_level)

),

report_rows as (

    select
        report_goals.*,
        placed.indicator_code,
        placed.indicator_name,
        placed.unit,
        placed.kon_uppdelad,
        placed.indicator_sortering,
        formats.format_tag,
        -- a yearly indicator (surveys) shows the year's VB value in every tertial of the year
        case when placed.periodicitet = 'ar' then cast(report_goals.year as varchar)
            when placed.indicator_code is not null
                then report_goals.period || ' ' || cast(report_goals.year as varchar)
        end as period_text,
        cells.utfall,
        coalesce(cells.utfall_dold, false) as utfall_dold,
        cells.man,
        coalesce(cells.man_dold, false) as man_dold,
        cells.kvinnor,
        coalesce(cells.kvinnor_dold, false) as kvinnor_dold,
        cells.fg_ar,
        coalesce(cells.fg_ar_dold, false) as fg_ar_dold,
        cells.utfall_orsak,
        cells.man_orsak,
        cells.kvinnor_orsak,
        cells.fg_ar_orsak,
        cells.arsmal,
        cells.kf_arsmal,
        cells.status
    from report_goals
    left join placed
        on placed.area_level = report_goals.area_level
        and placed.area_code = report_goals.area_code
        and placed.year = report_goals.year
        and placed.period = report_goals.period
        and placed.namndmal_kod = report_goals.namndmal_kod
    left join formats on formats.indicator_code = placed.indicator_code
    left join cells
        on cells.indicator_code = placed.indicator_code
        and cells.area_level = report_goals.area_level
        and cells.area_code = report_goals.area_code
        and cells.year = report_goals.year
        and cells.period = case when placed.periodicitet = 'ar' then 'VB' else report_goals.period end

),

namndmal as (

    -- a nämndmål is judged from its indicators' statuses (suppressed values have none)
    select
        area_level,
        area_code,
        year,
        period,
        namndmal_kod,
        any_value(kf_mal_nr) as kf_mal_nr,
        count(indicator_code) as n_indikatorer,
        count(status) as n_bedomda,
        {{ goal_judgement(
            'count(status)',
            "count(*) filter (where status = 'uppfylls')",
            "count(*) filter (where status = 'uppfylls_ej')"
        ) }} as bedomning
    from report_rows
    group by all

),

kf_mal as (

    -- KF:s mål för verksamhetsområdet from its nämndmål's judgements
    select
        area_level,
        area_code,
        year,
        period,
        kf_mal_nr,
        {{ goal_judgement(
            'count(bedomning)',
            "count(*) filter (where bedomning = 'uppfylls_helt')",
            "count(*) filter (where bedomning = 'uppfylls_ej')"
        ) }} as bedomning
    from namndmal
    group by all

),

inriktningsmal as (

    -- KF:s inriktningsmål from its KF:s mål's judgements
    select
        area_level,
        area_code,
        year,
        period,
        split_part(kf_mal_nr, '.', 1) as inriktningsmal_nr,
        {{ goal_judgement(
            'count(bedomning)',
            "count(*) filter (where bedomning = 'uppfylls_helt')",
            "count(*) filter (where bedomning = 'uppfylls_ej')"
        ) }} as bedomning
    from kf_mal
    group by all

)

select
    cast(report_rows.area_level as varchar) as area_level,
    cast(report_rows.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(areas.sortering as integer) as area_sortering,
    cast(report_rows.year as integer) as year,
    cast(report_rows.period as varchar) as period,
    -- Word documents are written for the two latest years with reports (the reports still to
    -- write or just written; orchestration/reports.py writes ~700 documents otherwise)
    cast(
        case when report_rows.year >= (select max(year) from reports) - 1
            then 'Rapport_' || report_rows.year || '_' || report_rows.period || '_'
                || report_rows.area_code || '.docx'
        end as varchar
    ) as dokument_fil,
    cast(report_rows.inriktningsmal_nr as varchar) as inriktningsmal_nr,
    cast(report_rows.inriktningsmal_namn as varchar) as inriktningsmal_namn,
    cast(inriktningsmal.bedomning as varchar) as inriktningsmal_bedomning,
    cast(report_rows.kf_mal_nr as varchar) as kf_mal_nr,
    cast(report_rows.kf_mal_namn as varchar) as kf_mal_namn,
    cast(kf_mal.bedomning as varchar) as kf_mal_bedomning,
    cast(report_rows.namndmal_kod as varchar) as namndmal_kod,
    cast(report_rows.namndmal_namn as varchar) as namndmal_namn,
    cast(report_rows.sortering as integer) as namndmal_sortering,
    cast(namndmal.bedomning as varchar) as namndmal_bedomning,
    cast(namndmal.n_bedomda as integer) as namndmal_antal_bedomda,
    cast(namndmal.n_indikatorer as integer) as namndmal_antal_indikatorer,
    -- the table's row order: the catalogue's (unique) order; 0 for a goal without indicators
    -- (a row_number() window here cost more than the rest of the model)
    cast(coalesce(report_rows.indicator_sortering, 0) as integer) as rad,
    cast(report_rows.indicator_code as varchar) as indicator_code,
    cast(report_rows.indicator_name as varchar) as indicator_name,
    cast(report_rows.unit as varchar) as unit,
    cast(report_rows.format_tag as varchar) as format_tag,
    cast(report_rows.kon_uppdelad as boolean) as kon_uppdelad,
    cast(report_rows.period_text as varchar) as period_text,
    cast(report_rows.utfall as double) as utfall,
    cast(report_rows.utfall_dold as boolean) as utfall_dold,
    cast(report_rows.man as double) as man,
    cast(report_rows.man_dold as boolean) as man_dold,
    cast(report_rows.kvinnor as double) as kvinnor,
    cast(report_rows.kvinnor_dold as boolean) as kvinnor_dold,
    cast(report_rows.fg_ar as double) as fg_ar,
    cast(report_rows.fg_ar_dold as boolean) as fg_ar_dold,
    cast(case when report_rows.utfall_dold then report_rows.utfall_orsak end as varchar) as utfall_orsak,
    cast(case when report_rows.man_dold then report_rows.man_orsak end as varchar) as man_orsak,
    cast(case when report_rows.kvinnor_dold then report_rows.kvinnor_orsak end as varchar) as kvinnor_orsak,
    cast(case when report_rows.fg_ar_dold then report_rows.fg_ar_orsak end as varchar) as fg_ar_orsak,
    cast(report_rows.arsmal as double) as arsmal,
    cast(report_rows.kf_arsmal as double) as kf_arsmal,
    cast(report_rows.status as varchar) as status
from report_rows
inner join areas on areas.area_level = report_rows.area_level and areas.area_code = report_rows.area_code
inner join namndmal
    on namndmal.area_level = report_rows.area_level
    and namndmal.area_code = report_rows.area_code
    and namndmal.year = report_rows.year
    and namndmal.period = report_rows.period
    and namndmal.namndmal_kod = report_rows.namndmal_kod
inner join kf_mal
    on kf_mal.area_level = report_rows.area_level
    and kf_mal.area_code = report_rows.area_code
    and kf_mal.year = report_rows.year
    and kf_mal.period = report_rows.period
    and kf_mal.kf_mal_nr = report_rows.kf_mal_nr
inner join inriktningsmal
    on inriktningsmal.area_level = report_rows.area_level
    and inriktningsmal.area_code = report_rows.area_code
    and inriktningsmal.year = report_rows.year
    and inriktningsmal.period = report_rows.period
    and inriktningsmal.inriktningsmal_nr = report_rows.inriktningsmal_nr
