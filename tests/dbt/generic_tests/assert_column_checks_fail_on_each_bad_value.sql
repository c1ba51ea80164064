-- The generic test column_checks on a hand-made table where each check has its own bad values:
-- returns the checks whose reported failing rows differ from the hand-counted ones (none: passes).
-- Nulls pass unique and accepted_values (as dbt's own tests); a check without bad values is not reported.
with

fixture as (
    select
        fixture_rows.id,
        fixture_rows.label,
        fixture_rows.shared,
        fixture_rows.code,
        fixture_rows.small_number,
        fixture_rows.low,
        fixture_rows.high
    from (
        values
        (1, 'a', 10, 'one', 0, 1, 2),
        (2, 'b', 10, 'two', 1, 2, 2),
        (null, 'c', null, 'x', 7, 3, 1),
        (4, 'd', null, null, null, null, 5)
    ) as fixture_rows (id, label, shared, code, small_number, low, high)
),

reported as (
    {{ test_column_checks(
        model='fixture',
        not_null=['id', 'label'],
        unique=['id', 'shared'],
        accepted_values={'code': ['one', 'two', "it's"], 'small_number': [0, 1, 2]},
        expressions=['low <= high'],
    ) }}
),

expected as (
    select
        expected_rows.check_name,
        expected_rows.column_name,
        expected_rows.n_failing_rows
    from (
        values
        ('not_null', 'id', 1),
        ('unique', 'shared', 1),
        ('accepted_values', 'code', 1),
        ('accepted_values', 'small_number', 1),
        ('expression_is_true', 'low <= high', 2)
    ) as expected_rows (check_name, column_name, n_failing_rows)
)

select
    expected.n_failing_rows as expected_failing_rows,
    reported.n_failing_rows as reported_failing_rows,
    coalesce(expected.check_name, reported.check_name) as check_name,
    coalesce(expected.column_name, reported.column_name) as column_name
from expected
full outer join reported
    on
        expected.check_name = reported.check_name
        and expected.column_name = reported.column_name
where
    expected.n_failing_rows is null
    or reported.n_failing_rows is null
    or expected.n_failing_rows <> reported.n_failing_rows
