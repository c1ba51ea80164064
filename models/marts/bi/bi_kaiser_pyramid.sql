-- The Kaiser Permanente pyramid: persons in scope and their window cost by Kaiser tier ('0' population
-- wellness ... '3' complex needs), for every combination of age group, sex, municipality and tier
-- (`all` a level of each), small cells suppressed with their money (macros/bi/persons_and_cost_by.sql).
{{ persons_and_cost_by('kaiser_tier') }}
