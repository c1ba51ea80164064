-- Indicators of the quintuple aim (docs/quintuple-aim.md) for the persons in scope, for every combination
-- of municipality, customer segment, sex and language group (`all` a level of each; the sex and language
-- rows are the equity view), as the disclosure control publishes them (docs/privacy.md): n_persons and
-- every indicator with it, and each share only where its numerator and complement are safe too. NPS and
-- the PROM mean need at least min_cell_size answers, contacts per professional at least min_cell_size
-- professionals (int_bi_quintuple_aim_cells).
{{ publish_protected_cells(
    'int_bi_quintuple_aim_cells',
    dimensions=['reference_date', 'municipality_code', 'customer_segment', 'sex', 'language_group'],
    value_columns=['nps', 'mean_prom_score', 'cost_per_resident_eur', 'contacts_per_professional'],
    share_columns=['share_with_chronic_condition', 'share_kaiser_tier_3'],
) }}
