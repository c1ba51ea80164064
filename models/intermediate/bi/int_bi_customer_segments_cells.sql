-- The cells of bi_customer_segments (true counts, not published): persons in scope and their window cost
-- by age group, sex, municipality and customer segment, `all` a level of each.
{{ persons_and_cost_cells('customer_segment') }}
