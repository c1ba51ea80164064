-- Customer segments: persons in scope and their window cost by customer segment (service need x
-- self-management capacity: self_reliant, cooperative, community, network), for every combination of
-- age group, sex, municipality and segment (`all` a level of each), as the disclosure control publishes
-- them (docs/privacy.md).
{{ publish_protected_cells(
    'int_bi_customer_segments_cells',
    dimensions=['reference_date', 'age_group', 'sex', 'municipality_code', 'customer_segment'],
    value_columns=['window_cost_eur', 'cost_per_person_eur'],
) }}
