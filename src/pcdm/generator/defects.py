"""Injected reliability cases: extra raw rows the pipeline must quarantine (or stage despite odd
looks), and the manifest `_defects` that says what must happen to each of them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pcdm import hetu
from pcdm.generator.arrays import schema

PERSON_KINDS = [
    "invalid_person_id",
    "person_id_lowercase",
    "person_id_padded",
    "orphan_person",
    "unlinked_temporary_id",
]
DUPLICATE_KINDS = ["duplicate_row", "conflicting_duplicate", "superseded_delivery"]
STAGED_KINDS = {"person_id_lowercase", "person_id_padded", "linked_temporary_id"}
TABLE_KINDS: dict[str, list[str]] = {
    "population_person": [
        "invalid_person_id",
        "person_id_lowercase",
        "person_id_padded",
        "invalid_value",
        "future_date",
        "end_before_start",
        *DUPLICATE_KINDS,
    ],
    "population_id_link": [
        "invalid_person_id",
        "person_id_padded",
        "orphan_person",
        "future_date",
        *DUPLICATE_KINDS,
    ],
    "health_contact": [
        *PERSON_KINDS,
        "unknown_service_code",
        "future_date",
        "invalid_value",
        *DUPLICATE_KINDS,
    ],
    "health_episode": [
        *PERSON_KINDS,
        "unknown_service_code",
        "end_before_start",
        "future_date",
        "invalid_value",
        *DUPLICATE_KINDS,
    ],
    "health_diagnosis": ["orphan_record", "invalid_value", *DUPLICATE_KINDS],
    "health_procedure": ["orphan_record", "invalid_value", *DUPLICATE_KINDS],
    "social_decision": [
        *PERSON_KINDS,
        "unknown_service_code",
        "unknown_service_task_code",
        "end_before_start",
        "future_date",
        "invalid_value",
        *DUPLICATE_KINDS,
    ],
    "social_contact": [
        *PERSON_KINDS,
        "unknown_service_code",
        "unknown_service_task_code",
        "future_date",
        "invalid_value",
        *DUPLICATE_KINDS,
    ],
    "income_support": [*PERSON_KINDS, "invalid_value", *DUPLICATE_KINDS],
    "crm_channel_contact": [*PERSON_KINDS, "future_date", "invalid_value", *DUPLICATE_KINDS],
    "crm_care_team": [*PERSON_KINDS, "end_before_start", "invalid_value", *DUPLICATE_KINDS],
    "crm_consent": [*PERSON_KINDS, "end_before_start", "invalid_value", *DUPLICATE_KINDS],
    "care_plan": [
        *PERSON_KINDS,
        "end_before_start",
        "future_date",
        "invalid_value",
        *DUPLICATE_KINDS,
    ],
    "feedback_response": [*PERSON_KINDS, "future_date", "invalid_value", *DUPLICATE_KINDS],
    "client_fee": [
        *PERSON_KINDS,
        "end_before_start",
        "future_date",
        "invalid_value",
        *DUPLICATE_KINDS,
    ],
}
# key column, id prefix and digits of the generated ids
KEYS = {
    "health_contact": ("contact_id", "AV", 10),
    "health_episode": ("episode_id", "HI", 9),
    "health_diagnosis": ("diagnosis_id", "DG", 10),
    "health_procedure": ("procedure_id", "TP", 10),
    "social_decision": ("decision_id", "SP", 9),
    "social_contact": ("contact_id", "SK", 10),
    "income_support": ("payment_id", "TT", 9),
    "crm_channel_contact": ("interaction_id", "CR", 10),
    "crm_consent": ("consent_id", "SU", 9),
    "care_plan": ("plan_id", "SUUN", 8),
    "feedback_response": ("response_id", "PA", 9),
    "client_fee": ("invoice_id", "LA", 10),
}
# columns whose date must not be later than an older extract for a superseded copy to pass
EVENT_COLUMNS = {
    "health_contact": ["contact_start"],
    "health_episode": ["admission_date", "discharge_date"],
    "social_decision": ["decision_date"],
    "social_contact": ["contact_start"],
    "crm_channel_contact": ["occurred_at"],
    "care_plan": ["created_date"],
    "feedback_response": ["responded_at"],
    "client_fee": ["invoice_date"],
    "population_person": ["birth_date", "death_date"],
    "population_id_link": ["linked_at"],
}


def expected_reason(kind: str) -> str:
    if kind in STAGED_KINDS:
        return ""
    return kind


def row_key(table: str, row: dict) -> str:
    if table == "population_person":
        return row["person_id"]
    if table == "population_id_link":
        return row["temporary_id"]
    if table == "crm_care_team":
        parts = (
            row["person_id"],
            row["professional_id"],
            row["role"],
            f"{row['valid_from']:%Y-%m-%d}",
        )
        return "|".join(parts)
    return row[KEYS[table][0]]


def _months_before(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 - months
    return moment.replace(year=total // 12, month=total % 12 + 1)


class DefectInjector:
    """Builds the extra rows of every table and the manifest rows that describe them."""

    def __init__(
        self,
        rng: np.random.Generator,
        extract_at: datetime,
        rate: float,
        register_ids,
        linked_temp_ids,
    ):
        self.rng = rng
        self.extract_at = extract_at
        self.older = _months_before(extract_at, 1)
        self.rate = rate
        self.used_codes: set[str] = set(register_ids) | set(linked_temp_ids)
        self.register_ids = register_ids
        self.manifest: list[tuple[str, str, str, str]] = []
        self.next_number: dict[str, int] = {}
        self.professional_counter = 0

    # ---------- codes
    def fresh_code(self, temporary: bool = False, letter_check: bool = False) -> str:
        rng = self.rng
        while True:
            born = date(1935, 1, 1) + timedelta(days=int(rng.integers(0, 25_000)))
            number = int(rng.integers(900, 1000) if temporary else rng.integers(2, 900))
            code = hetu.make(born, number)
            if code in self.used_codes or (letter_check and not code[-1].isalpha()):
                continue
            self.used_codes.add(code)
            return code

    def invalid_code(self, base: str, variant: int) -> str:
        if variant % 3 == 0:  # wrong check character
            wrong = hetu.CHECK_CHARS[(hetu.CHECK_CHARS.index(base[10]) + 7) % 31]
            return base[:10] + wrong
        if variant % 3 == 1:  # malformed: sign missing, or garbage
            return base[:6] + base[7:] if variant % 2 else f"{variant:05d}-XYZ"
        number = int(self.rng.integers(2, 900))  # impossible date 31.02.99
        return f"310299-{number:03d}{hetu.CHECK_CHARS[int(f'310299{number:03d}') % 31]}"

    def new_key(self, table: str, clean_rows: int) -> str:
        column, prefix, width = KEYS[table]
        n = self.next_number.get(table, clean_rows) + 1
        self.next_number[table] = n
        return f"{prefix}{n:0{width}d}"

    def new_professional(self) -> str:
        self.professional_counter += 1
        return f"AM{950_000 + self.professional_counter:06d}"

    # ---------- per table
    def count(self, clean_rows: int) -> int:
        if self.rate <= 0:
            return 0
        return max(1, int(round(self.rate * clean_rows)))

    def templates(self, table: str, data: pa.Table, needed: int) -> list[dict]:
        """Clean rows to copy: permanent, known person; events early enough for an older extract."""
        mask = pa.array(np.ones(data.num_rows, dtype=bool))
        if "person_id" in data.column_names and table != "population_id_link":
            pid = data["person_id"]
            if table != "population_person":
                mask = pc.and_(
                    mask, pc.fill_null(pc.less(pc.utf8_slice_codeunits(pid, 7, 10), "900"), False)
                )
        for column in EVENT_COLUMNS.get(table, []):
            limit = self.older - timedelta(days=2)
            values = data[column]
            bound = (
                pa.scalar(limit, type=values.type)
                if pa.types.is_timestamp(values.type)
                else pa.scalar(limit.date(), type=values.type)
            )
            mask = pc.and_(mask, pc.fill_null(pc.less_equal(values, bound), True))
        eligible = np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False)))
        if eligible.size == 0:
            eligible = np.arange(data.num_rows)
        take = self.rng.choice(eligible, size=min(needed, eligible.size), replace=False)
        rows = data.take(pa.array(np.sort(take))).to_pylist()
        order = self.rng.permutation(len(rows))
        return [rows[i] for i in order]

    def add(self, table: str, row: dict, kind: str, reason: str | None = None) -> None:
        self.manifest.append(
            (table, row_key(table, row), kind, expected_reason(kind) if reason is None else reason)
        )

    def inject(self, table: str, data: pa.Table) -> pa.Table:
        kinds = TABLE_KINDS[table]
        k = self.count(data.num_rows)
        if k == 0:
            return data
        if data.num_rows == 0 and table == "population_id_link":
            data_for_templates = pa.Table.from_pylist(
                [
                    {
                        "temporary_id": self.fresh_code(temporary=True),
                        "person_id": self.register_ids[0],
                        "linked_at": self.extract_at - timedelta(days=40),
                        "loaded_at": self.extract_at,
                    }
                ],
                schema=schema(table),
            )
            data = data_for_templates  # a real (clean) link: copies need an original
        elif data.num_rows == 0:
            return data
        else:
            data_for_templates = data
        pool = self.templates(table, data_for_templates, k * len(kinds) + 10)
        out: list[dict] = []
        cursor = 0

        def template() -> dict:
            nonlocal cursor
            row = dict(pool[cursor % len(pool)])
            cursor += 1
            return row

        for kind in kinds:
            for i in range(k):
                self._one(table, kind, i, template, out, data.num_rows)
        extra = pa.Table.from_pylist(out, schema=schema(table))
        return pa.concat_tables([data, extra])

    # ---------- one defect
    def _one(self, table, kind, i, template, out, clean_rows):
        row = template()
        person_table = "person_id" in row and table not in (
            "population_person",
            "population_id_link",
        )
        if table == "population_person" and kind not in ("duplicate_row", "superseded_delivery"):
            row = self._new_person(row, letter_check=kind == "person_id_lowercase")
        if table == "population_id_link" and kind not in ("duplicate_row", "superseded_delivery"):
            row["temporary_id"] = self.fresh_code(temporary=True)
            row["linked_at"] = min(row["linked_at"], self.extract_at - timedelta(hours=1))
        fresh_key = kind not in ("duplicate_row", "superseded_delivery")
        if fresh_key and table in KEYS:
            row[KEYS[table][0]] = self.new_key(table, clean_rows)
        if fresh_key and table == "crm_care_team":
            row["professional_id"] = self.new_professional()

        if kind == "invalid_person_id":
            if table == "population_id_link":
                row["temporary_id"] = (
                    self.fresh_code()
                )  # a permanent code where a temporary one belongs
            elif table == "population_person" and i % 4 == 3:
                row["person_id"] = self.fresh_code(temporary=True)  # temporary id in the register
            else:
                row["person_id"] = self.invalid_code(row["person_id"], i)
        elif kind == "person_id_lowercase":
            if not row["person_id"][-1].isalpha():
                row["person_id"] = " " + row["person_id"]
            row["person_id"] = row["person_id"][:-1] + row["person_id"][-1].lower()
        elif kind == "person_id_padded":
            column = "temporary_id" if table == "population_id_link" else "person_id"
            row[column] = ("  " if i % 2 else " ") + row[column] + (" " if i % 3 else "")
        elif kind == "orphan_person":
            row["person_id"] = self.fresh_code()
        elif kind == "unlinked_temporary_id":
            row["person_id"] = self.fresh_code(temporary=True)
        elif kind == "unknown_service_code":
            column = "specialty_code" if table == "health_episode" else "service_code"
            row[column] = ["XX99", "TUNTEMATON", "Z9"][i % 3]
        elif kind == "unknown_service_task_code":
            row["service_task_code"] = ["ZZZZ", "VANHUS"][i % 2]
        elif kind == "end_before_start":
            self._end_before_start(table, row)
        elif kind == "future_date":
            self._future(table, row)
        elif kind == "invalid_value":
            self._invalid(table, row, i)
        elif kind == "orphan_record":
            if table == "health_diagnosis":
                prefix = "AV" if row["record_type"] == "contact" else "HI"
                row["record_id"] = (
                    prefix + "9" * (len(row["record_id"]) - len(prefix) - 4) + f"{i:04d}"
                )
            else:
                row["contact_id"] = "AV" + "9" * 6 + f"{i:04d}"
        elif kind == "duplicate_row":
            out.append(dict(row))
            self.add(table, row, kind)
            return
        elif kind == "conflicting_duplicate":
            other = self._conflict(table, dict(row))
            out.extend([row, other])
            self.add(table, row, kind)
            self.add(table, other, kind)
            return
        elif kind == "superseded_delivery":
            row = self._conflict(table, dict(row))
            row["loaded_at"] = self.older
            out.append(row)
            self.add(table, row, kind)
            return
        if person_table and kind not in PERSON_KINDS and row.get("person_id") is None:
            row["person_id"] = self.register_ids[int(self.rng.integers(0, len(self.register_ids)))]
        out.append(row)
        self.add(table, row, kind)

    def _new_person(self, row: dict, letter_check: bool) -> dict:
        code = self.fresh_code(letter_check=letter_check)
        row = dict(row)
        row["person_id"] = code
        row["birth_date"] = hetu.birth_date(code)
        row["sex_code"] = hetu.sex_code(code)
        row["death_date"] = None
        return row

    def _end_before_start(self, table: str, row: dict) -> None:
        shift = timedelta(days=int(self.rng.integers(1, 30)))
        if table == "health_episode":
            row["discharge_date"] = row["admission_date"] - shift
        elif table == "social_decision":
            if row["valid_from"] is None:
                row["valid_from"] = row["decision_date"]
                row["decision_type"] = "granted"
            row["valid_to"] = row["valid_from"] - shift
        elif table in ("crm_care_team", "crm_consent"):
            row["valid_to"] = row["valid_from"] - shift
        elif table == "care_plan":
            row["closed_date"] = row["created_date"] - shift
        elif table == "client_fee":
            row["paid_date"] = row["invoice_date"] - shift
        elif table == "population_person":
            row["death_date"] = row["birth_date"] - shift

    def _future(self, table: str, row: dict) -> None:
        later = self.extract_at + timedelta(days=int(self.rng.integers(1, 60)), hours=3)
        if table in ("health_contact", "social_contact"):
            row["contact_start"] = later
        elif table == "health_episode":
            row["admission_date"], row["discharge_date"] = later.date(), None
        elif table == "social_decision":
            row["decision_date"] = later.date()
            if row["valid_from"] is not None:
                row["valid_from"], row["valid_to"] = later.date(), None
        elif table == "crm_channel_contact":
            row["occurred_at"] = later
        elif table == "care_plan":
            row["created_date"], row["closed_date"] = later.date(), None
            row["next_review_date"] = later.date() + timedelta(days=180)
        elif table == "feedback_response":
            row["responded_at"] = later
        elif table == "client_fee":
            row["invoice_date"], row["paid_date"] = later.date(), None
        elif table == "population_person":
            row["birth_date"] = later.date()
        elif table == "population_id_link":
            row["linked_at"] = later

    def _invalid(self, table: str, row: dict, i: int) -> None:
        if table in ("health_contact", "social_contact"):
            row["cost_eur"] = -round(50.0 + i, 2)
        elif table == "health_episode":
            row["admission_type"] = "urgent"
        elif table == "health_diagnosis":
            row["code_system"] = "ICD-9"
        elif table == "health_procedure":
            row["code"] = None
        elif table == "social_decision":
            row["decision_type"] = "approved"
        elif table == "income_support":
            row["benefit_type"] = "other"
        elif table == "crm_channel_contact":
            row["channel"] = "fax"
        elif table == "crm_care_team":
            row["role"] = "nurse"
        elif table == "crm_consent":
            row["status"] = "maybe"
        elif table == "care_plan":
            row["plan_type"] = None
        elif table == "feedback_response":
            row["nps_score"] = 11
        elif table == "client_fee":
            row["amount_eur"] = -25.4
        elif table == "population_person":
            row["sex_code"] = "3"

    def _conflict(self, table: str, row: dict) -> dict:
        """The same key with a different, still valid, value."""
        if table in ("health_contact", "social_contact", "health_episode"):
            row["cost_eur"] = round((row["cost_eur"] or 100.0) + 12.5, 2)
        elif table == "health_diagnosis":
            row["rank"] = 2 if row["rank"] == 1 else 1
        elif table == "health_procedure":
            row["code"] = "SAA02" if row["code"] != "SAA02" else "SAA01"
        elif table == "social_decision":
            row["monthly_cost_eur"] = round((row["monthly_cost_eur"] or 300.0) + 40.0, 2)
        elif table == "income_support":
            row["amount_eur"] = round(row["amount_eur"] + 35.0, 2)
        elif table == "crm_channel_contact":
            row["topic_code"] = "NEUVONTA" if row["topic_code"] != "NEUVONTA" else "AJANVARAUS"
        elif table == "crm_care_team":
            row["valid_to"] = (
                row["valid_from"] + timedelta(days=30) if row["valid_to"] is None else None
            )
        elif table == "crm_consent":
            row["consent_type"] = (
                "sms_reminders" if row["consent_type"] != "sms_reminders" else "e_service_messages"
            )
        elif table == "care_plan":
            review = row["next_review_date"] or row["created_date"]
            row["next_review_date"] = review + timedelta(days=30)
        elif table == "feedback_response":
            row["nps_score"] = 10 if row["nps_score"] != 10 else 9
        elif table == "client_fee":
            row["amount_eur"] = round(row["amount_eur"] + 1.0, 2)
        elif table == "population_person":
            row["language_code"] = "sv" if row["language_code"] != "sv" else "fi"
        elif table == "population_id_link":
            row["linked_at"] = row["linked_at"] - timedelta(hours=1)
        return row
