-- Customer segments: persons in scope and their window cost by customer segment (service need x
-- self-management capacity: self_reliant, cooperative, community, network), for every combination of
-- age group, sex, municipality and segment (`all` a level of each), small cells suppressed with their
-- money (macros/bi/persons_and_cost_by.sql).
{{ persons_and_cost_by('customer_segment') }}
