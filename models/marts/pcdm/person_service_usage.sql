-- One row per person in scope and harmonised health or social service used in the 12-month window,
-- with the user and top-decile flags of the Soite multi-service model (rules: int_person_service_usage).
select
    person_key,
    reference_date,
    rule_version,
    service_key,
    domain,
    volume,
    is_user,
    is_top_decile
from {{ ref('int_person_service_usage') }}
