-- Overview of the Soite multi-service report: which services do heavy users use? Users of each
-- harmonised service in the 12-month window, for every combination of age group, sex and heavy-user
-- group (`all` a level of each), as the disclosure control publishes them (docs/privacy.md).
{{ publish_protected_cells(
    'int_bi_service_users_cells',
    dimensions=['reference_date', 'service_key', 'age_group', 'sex', 'heavy_user_group'],
) }}
