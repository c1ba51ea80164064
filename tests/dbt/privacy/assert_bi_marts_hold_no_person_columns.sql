-- The bi layer holds aggregates only: no column of a bi mart may carry a person, an identity code,
-- a pseudonymous key or a staff id. Returns each offending column. (Values are scanned too, by
-- tests/python/test_end_to_end_generated.py.) It runs after every bi mart is built:
-- depends_on: {{ ref('bi_cost_concentration') }}
-- depends_on: {{ ref('bi_customer_segments') }}
-- depends_on: {{ ref('bi_kaiser_pyramid') }}
-- depends_on: {{ ref('bi_quintuple_aim') }}
-- depends_on: {{ ref('bi_service_cooccurrence') }}
-- depends_on: {{ ref('bi_service_count_distribution') }}
-- depends_on: {{ ref('bi_service_transitions') }}
-- depends_on: {{ ref('bi_service_users') }}
select
    table_name,
    column_name
from ({{ model_columns([generate_schema_name("bi", none) | trim]) }}) as bi_columns
where
    column_name in ('person_key', 'person_id', 'recorded_person_id', 'temporary_id', 'event_key')
    or column_name like '%!_id' escape '!'
    or column_name like '%person!_key%' escape '!'
