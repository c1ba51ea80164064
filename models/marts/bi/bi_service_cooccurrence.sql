-- Service view of the Soite multi-service report: what else do the customers of one service use?
-- For every ordered pair of different harmonised services, the persons in scope who are users of both
-- in the 12-month window (int_person_service_usage.is_user), for every combination of age group and
-- sex (`all` a level of each), as the disclosure control publishes them (docs/privacy.md).
{{ publish_protected_cells(
    'int_bi_service_cooccurrence_cells',
    dimensions=['reference_date', 'service_key', 'other_service_key', 'age_group', 'sex'],
) }}
