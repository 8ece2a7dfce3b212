{{ config(materialized="view") }}

-- All KPI observations in one long table, the single input of the period × area × gender
-- fan-out in fct_indicator_value. One row is what one subject (household, person, case,
-- measure, respondent, employee) contributes to an indicator in one month, recorded where it
-- happened (origin: a stadsdel_kod, or an enhet_kod for staff data):
--   numerator / denominator  what the row adds; rows without subject_id are denominators only
--                            (population), always summed;
--   person_id                who is counted in n_individuals (distinct);
--   eligible_from            the row counts only in periods ending on or after this date
--                            (e.g. a 90-day deadline).

{% for part in kpi_observation_parts() %}
{{ kpi_observation_rows(part) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
