-- The identity-code macros agree with codes whose validity, birth date and kind were worked out by
-- hand (and agree with src/pcdm/hetu.py, tested in tests/python/test_hetu.py). Returns each mismatch.
-- Not built for a pseudonymous delivery (var id_scheme), whose person ids are never validated.
{{ config(enabled=var('id_scheme', 'identity_code') == 'identity_code') }}
with

cases as (
    select
        hand_worked.raw_code,
        hand_worked.expected_code,
        hand_worked.expected_valid,
        hand_worked.expected_temporary,
        cast(hand_worked.expected_birth_date as date) as expected_birth_date
    from (
        values
        ('131052-308T', '131052-308T', true, false, '1952-10-13'),  -- DVV's example
        (' 131052-308t ', '131052-308T', true, false, '1952-10-13'),  -- padded, lower case
        ('131052+308T', '131052+308T', true, false, '1852-10-13'),  -- 1800s: sign not in checksum
        ('010594Y9021', '010594Y9021', true, true, '1994-05-01'),  -- 2023 sign Y, temporary 902
        ('050575Y321Y', '050575Y321Y', true, false, '1975-05-05'),  -- same digits as ...
        ('050575-321Y', '050575-321Y', true, false, '1975-05-05'),  -- ... this one: both valid
        ('280220B9040', '280220B9040', true, true, '2020-02-28'),  -- 2000s sign B, temporary
        ('290200A1239', '290200A1239', true, false, '2000-02-29'),  -- leap day 2000
        ('290201A123J', '290201A123J', false, false, null),  -- 29 Feb 2001 does not exist
        ('310299-1234', '310299-1234', false, false, null),  -- 31 Feb
        ('010150-123B', '010150-123B', false, false, '1950-01-01'),  -- wrong check character (A)
        ('150385-246X', '150385-246X', false, false, '1985-03-15'),  -- wrong check character (Y)
        ('280220A001V', '280220A001V', false, false, '2020-02-28'),  -- individual number 001
        ('131052G308T', '131052G308T', false, false, null),  -- G is no century sign
        ('131052-308', '131052-308', false, false, null),  -- too short
        ('', null, false, false, null)  -- empty is missing
    ) as hand_worked (raw_code, expected_code, expected_valid, expected_temporary, expected_birth_date)
),

computed as (
    select
        cases.*,
        {{ normalise_person_id('raw_code') }} as actual_code
    from cases
)

select *
from computed
where
    actual_code is distinct from expected_code
    or {{ person_id_is_valid('actual_code') }} <> expected_valid
    or ({{ person_id_is_valid('actual_code') }} and {{ person_id_is_temporary('actual_code') }} <> expected_temporary)
    or (expected_birth_date is not null and {{ person_id_birth_date('actual_code') }} <> expected_birth_date)
