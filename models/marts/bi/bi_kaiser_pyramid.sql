-- The Kaiser Permanente pyramid: persons in scope and their window cost by Kaiser tier ('0' population
-- wellness ... '3' complex needs), for every combination of age group, sex, municipality and tier
-- (`all` a level of each), as the disclosure control publishes them (docs/privacy.md).
{{ publish_protected_cells(
    'int_bi_kaiser_pyramid_cells',
    dimensions=['reference_date', 'age_group', 'sex', 'municipality_code', 'kaiser_tier'],
    value_columns=['window_cost_eur', 'cost_per_person_eur'],
) }}
