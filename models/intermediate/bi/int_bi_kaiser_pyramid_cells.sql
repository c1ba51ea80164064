-- The cells of bi_kaiser_pyramid (true counts, not published): persons in scope and their window cost by
-- age group, sex, municipality and Kaiser tier, `all` a level of each.
{{ persons_and_cost_cells('kaiser_tier') }}
