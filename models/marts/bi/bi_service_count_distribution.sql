-- Customer view of the Soite multi-service report: how many different health and social services does
-- a customer use? Persons in scope by the number of harmonised health services and of social services
-- used in the 12-month window (banded '0' ... '4', '5+'), for every combination of age group, sex,
-- heavy-user group and the two service counts (`all` a level of each), as the disclosure control publishes them
-- (docs/privacy.md).
{{ publish_protected_cells(
    'int_bi_service_count_distribution_cells',
    dimensions=['reference_date', 'age_group', 'sex', 'heavy_user_group', 'n_health_services', 'n_social_services'],
) }}
