-- "Redovisning av synpunkter och klagomål" (the seeds' table, seed 001): complaints, suggestions,
-- praise and deviation reports per area and year, broken down by sender (avsandare), type (typ)
-- and category (kategori), plus lex Sarah reports, complaints with feedback given and complaints
-- where action was taken — each with the tertial's own count (T1 January–April, T2 May–August,
-- VB September–December, as the seeds' columns "Utfall T1/T2/VB") and the year's total.
--   - A tertial is shown once all its months have synpunkter data (int_kpi_source_months);
--     the total sums the tertials shown (`tertialer` says how many).
--   - Feedback: complaints received in the tertial with feedback given by the tertial's last day
--     (SY_ATERKOPPLING's rule); action: complaints with atgard_vidtagen J in the snapshot.
--   - Counts rest on the reports (catalogue-v2.md): 1–4 is hidden, 0 shown; within a row one
--     more cell is hidden when exactly one is (the total is the sum of the tertials).
-- Every code of the code lists gets its row (0 when none), so the table has the same shape
-- every year and area.

with

feedback as (

    select * from {{ ref('fct_feedback') }}

),

source_months as (

    select month_start from {{ ref('int_kpi_source_months') }} where source = 'synpunkter'

),

rollup as (

    select * from {{ ref('int_area_rollup') }}
    where origin_level = 'stadsdel_kod'

),

areas as (

    select * from {{ ref('dim_area') }}

),

-- tertials whose four months all have data
tertials as (

    select year(month_start) as year, (month(month_start) - 1) // 4 + 1 as tertial
    from source_months
    group by all
    having count(*) = 4

),

sections as (

    select 'avsandare' as section, 1 as section_order, 'Från vem har klagomål, synpunkt eller avvikelse inkommit?' as section_name,
        kod as code, namn as name, sortering as sort_order
    from {{ ref('ref_synpunkt_avsandare') }}
    union all
    select 'typ', 2, 'Vilken typ av ärende?', kod, namn, sortering
    from {{ ref('ref_synpunkt_typ') }}
    union all
    select 'kategori', 3, 'Vad gällde klagomålet, synpunkten eller avvikelsen?', kod, namn, sortering
    from {{ ref('ref_synpunkt_kategori') }}
    union all
    select 'lex_sarah', 4, 'Varav avvikelser som lett till rapport', 'J', 'Lex Sarah', 1
    union all
    select 'aterkoppling', 5, 'Återkoppling', 'J', 'Antal klagomål där återkoppling har lämnats', 1
    union all
    select 'atgard', 6, 'Åtgärder', 'J', 'Antal klagomål där åtgärder vidtagits', 1

),

-- each report under every section value it counts in
counted_in as (

    select feedback.*, 'avsandare' as section, sender_code as code from feedback
    union all
    select feedback.*, 'typ', feedback_type_code from feedback
    union all
    select feedback.*, 'kategori', category_code from feedback
    union all
    select feedback.*, 'lex_sarah', 'J' from feedback where is_lex_sarah
    union all
    select feedback.*, 'aterkoppling', 'J' from feedback
    where is_complaint
        and answered_on <= last_day(make_date(received_year, received_tertial * 4, 1))
    union all
    select feedback.*, 'atgard', 'J' from feedback where is_complaint and action_taken

),

counts as (

    select
        rollup.area_level,
        rollup.area_code,
        counted_in.received_year as year,
        counted_in.received_tertial as tertial,
        counted_in.section,
        counted_in.code,
        count(*) as reports
    from counted_in
    inner join rollup on rollup.origin_code = counted_in.district_code
    inner join tertials
        on tertials.year = counted_in.received_year
        and tertials.tertial = counted_in.received_tertial
    group by all

),

-- every area with some report (any year), every reported tertial, every section value
scaffold as (

    select areas_seen.area_level, areas_seen.area_code, tertials.year, tertials.tertial,
        sections.section, sections.code
    from (select distinct area_level, area_code from counts) as areas_seen
    cross join tertials
    cross join sections

),

-- the tertials as cells and the year's total as a fourth (column 0 = total)
cells as (

    select scaffold.area_level, scaffold.area_code, scaffold.year, scaffold.section,
        scaffold.code, scaffold.tertial as column_no, coalesce(counts.reports, 0) as reports
    from scaffold
    left join counts using (area_level, area_code, year, tertial, section, code)

    union all

    select scaffold.area_level, scaffold.area_code, scaffold.year, scaffold.section,
        scaffold.code, 0, sum(coalesce(counts.reports, 0))
    from scaffold
    left join counts using (area_level, area_code, year, tertial, section, code)
    group by all

),

suppressed as (

    select
        cells.*,
        {{ complementary_suppression(
            'reports', 'area_level, area_code, year, section, code', 'column_no'
        ) }} as is_hidden
    from cells

),

rows as (

    select
        area_level, area_code, year, section, code,
        count(*) filter (where column_no > 0) as tertialer,
        {%- for column_no, name in [(1, 't1'), (2, 't2'), (3, 'vb'), (0, 'totalt')] %}
        max(case when column_no = {{ column_no }} and not is_hidden then reports end) as {{ name }},
        bool_or(column_no = {{ column_no }} and is_hidden) as {{ name }}_dold{{ ',' if not loop.last }}
        {%- endfor %}
    from suppressed
    group by all

)

select
    cast(rows.area_level as varchar) as area_level,
    cast(rows.area_code as varchar) as area_code,
    cast(areas.area_name as varchar) as area_name,
    cast(rows.year as integer) as year,
    cast(rows.tertialer as integer) as tertialer,
    cast(rows.section as varchar) as uppdelning,
    cast(sections.section_name as varchar) as uppdelning_namn,
    cast(rows.code as varchar) as kod,
    cast(sections.name as varchar) as namn,
    cast(sections.section_order * 100 + sections.sort_order as integer) as sortering,
    cast(rows.t1 as bigint) as t1,
    cast(rows.t2 as bigint) as t2,
    cast(rows.vb as bigint) as vb,
    cast(rows.totalt as bigint) as totalt,
    cast(rows.t1_dold as boolean) as t1_dold,
    cast(rows.t2_dold as boolean) as t2_dold,
    cast(rows.vb_dold as boolean) as vb_dold,
    cast(rows.totalt_dold as boolean) as totalt_dold,
    cast(rows.t1_dold or rows.t2_dold or rows.vb_dold or rows.totalt_dold as boolean)
        as is_suppressed

from rows
inner join sections on sections.section = rows.section and sections.code = rows.code
inner join areas on areas.area_level = rows.area_level and areas.area_code = rows.area_code
