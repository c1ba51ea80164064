-- Service paths (palvelupolut) for a Power BI flow: persons in scope who moved from one harmonised
-- health or social service to another in the 12-month window - the next distinct service began no
-- more than var transition_max_days days after the last event of the previous one - by age group
-- and customer segment (`all` a level of each), as the disclosure control publishes them
-- (docs/privacy.md).
{{ publish_protected_cells(
    'int_bi_service_transitions_cells',
    dimensions=['reference_date', 'from_service_key', 'to_service_key', 'age_group', 'customer_segment'],
) }}
