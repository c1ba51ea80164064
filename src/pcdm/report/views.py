"""The views of the offline report: which mart each chart reads, and the labels (Finnish first).

The report reads columns generically: a chart names its mart and axis; every other text column of
the mart with an `all` level becomes a filter (default `all`; a filter without one needs a default
in View.defaults), and every number column a measure the reader can pick. A mart that gains a
column shows it in its table without a change here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Chart:
    mart: str
    axis: str
    kind: str = "bar"  # bar | line | pyramid
    measures: tuple[str, ...] = ()  # () = every number column of the mart except the axis
    sort: str = "value"  # value (largest first) | axis (the order of AXIS_ORDER or the data)
    fixed: dict[str, str] = field(default_factory=dict)  # other dimensions held at a level
    title_fi: str = ""
    title_en: str = ""


@dataclass(frozen=True)
class View:
    id: str
    page: str
    title_fi: str
    title_en: str
    charts: tuple[Chart, ...]
    defaults: dict[str, str] = field(default_factory=dict)  # filters without an `all` level

    @property
    def marts(self) -> list[str]:
        return sorted({chart.mart for chart in self.charts})


VIEWS = (
    View(
        "overview",
        "index.html",
        "Yleiskuva",
        "Overview",
        (
            Chart(
                "bi_service_users",
                "service_key",
                title_fi="Palvelujen käyttäjät",
                title_en="Users of each service",
            ),
        ),
    ),
    View(
        "customers",
        "customers.html",
        "Asiakasnäkymä",
        "Customer view",
        (
            Chart(
                "bi_service_count_distribution",
                "n_health_services",
                sort="axis",
                fixed={"n_social_services": "all"},
                title_fi="Terveyspalveluja käyttäneet palvelujen määrän mukaan",
                title_en="Persons by the number of health services used",
            ),
            Chart(
                "bi_service_count_distribution",
                "n_social_services",
                sort="axis",
                fixed={"n_health_services": "all"},
                title_fi="Sosiaalipalveluja käyttäneet palvelujen määrän mukaan",
                title_en="Persons by the number of social services used",
            ),
        ),
    ),
    View(
        "services",
        "services.html",
        "Palvelunäkymä",
        "Service view",
        (
            Chart(
                "bi_service_cooccurrence",
                "other_service_key",
                title_fi="Valitun palvelun asiakkaiden muut palvelut",
                title_en="Other services used by the customers of the chosen service",
            ),
        ),
        defaults={"service_key": "child_welfare_open_care"},
    ),
    View(
        "pyramid",
        "pyramid.html",
        "Kaiser-pyramidi ja asiakassegmentit",
        "Kaiser pyramid and customer segments",
        (
            Chart(
                "bi_kaiser_pyramid",
                "kaiser_tier",
                kind="pyramid",
                sort="axis",
                title_fi="Kaiser-pyramidi",
                title_en="Kaiser pyramid",
            ),
            Chart(
                "bi_customer_segments",
                "customer_segment",
                sort="axis",
                title_fi="Asiakassegmentit",
                title_en="Customer segments",
            ),
        ),
    ),
    View(
        "cost",
        "cost.html",
        "Kustannusten kasautuminen",
        "Cost concentration",
        (
            Chart(
                "bi_cost_concentration",
                "population_percentile",
                kind="line",
                sort="axis",
                measures=("cumulative_cost_share", "window_cost_eur", "n_persons"),
                title_fi="Kumulatiivinen kustannusosuus väestön persentiileittäin",
                title_en="Cumulative cost share by population percentile (costliest first)",
            ),
        ),
    ),
    View(
        "quintuple",
        "quintuple.html",
        "Quintuple Aim",
        "Quintuple Aim",
        (
            Chart(
                "bi_quintuple_aim",
                "municipality_code",
                measures=(
                    "cost_per_resident_eur",
                    "nps",
                    "mean_prom_score",
                    "share_with_chronic_condition",
                    "share_kaiser_tier_3",
                    "contacts_per_professional",
                    "n_persons",
                ),
                title_fi="Tavoitteiden mittarit kunnittain",
                title_en="Indicators of the five aims by municipality",
            ),
        ),
    ),
    View(
        "paths",
        "paths.html",
        "Palvelupolut",
        "Service paths",
        (
            Chart(
                "bi_service_transitions",
                "to_service_key",
                title_fi="Seuraava palvelu 90 päivän sisällä",
                title_en="The next service within 90 days",
            ),
        ),
        defaults={"from_service_key": "emergency_care"},
    ),
)
STEWARDS_PAGE = "stewards.html"

# Finnish first, English beside. Columns and levels not listed show their own name.
COLUMN_LABELS = {
    "reference_date": ("Viitepäivä", "Reference date"),
    "service_key": ("Palvelu", "Service"),
    "other_service_key": ("Muu palvelu", "Other service"),
    "from_service_key": ("Palvelusta", "From service"),
    "to_service_key": ("Palveluun", "To service"),
    "age_group": ("Ikäryhmä", "Age group"),
    "sex": ("Sukupuoli", "Sex"),
    "heavy_user_group": ("Paljon palveluja käyttävät", "Heavy service users"),
    "n_health_services": ("Terveyspalveluja", "Health services"),
    "n_social_services": ("Sosiaalipalveluja", "Social services"),
    "municipality_code": ("Kunta", "Municipality"),
    "kaiser_tier": ("Kaiser-taso", "Kaiser tier"),
    "customer_segment": ("Asiakassegmentti", "Customer segment"),
    "language_group": ("Kieliryhmä", "Language group"),
    "population_percentile": ("Väestöpersentiili", "Population percentile"),
    "n_persons": ("Henkilöitä", "Persons"),
    "window_cost_eur": ("Kustannus €", "Cost EUR"),
    "cost_per_person_eur": ("€ / henkilö", "EUR per person"),
    "cumulative_cost_share": ("Kumulatiivinen kustannusosuus", "Cumulative cost share"),
    "nps": ("NPS", "Net promoter score"),
    "mean_prom_score": ("EQ-5D-5L keskiarvo", "Mean EQ-5D-5L score"),
    "share_with_chronic_condition": ("Pitkäaikaissairaiden osuus", "Share with chronic conditions"),
    "share_kaiser_tier_3": ("Kaiser-tason 3 osuus", "Share in Kaiser tier 3"),
    "cost_per_resident_eur": ("€ / asukas", "Cost per resident EUR"),
    "contacts_per_professional": ("Kontakteja / ammattilainen", "Contacts per professional"),
    "is_suppressed": ("Suojattu", "Suppressed"),
    "run_at": ("Ajettu", "Run at"),
    "source": ("Lähde", "Source"),
    "check_name": ("Tarkistus", "Check"),
    "expectation": ("Odotus", "Expectation"),
    "severity": ("Vakavuus", "Severity"),
    "status": ("Tila", "Status"),
    "success": ("Läpäisi", "Passed"),
    "observed_value": ("Havaittu arvo", "Observed value"),
    "threshold": ("Raja", "Threshold"),
    "details": ("Poikkeavat rivit", "Failing rows"),
    "description": ("Kuvaus", "Description"),
    "source_table": ("Lähdetaulu", "Source table"),
    "reason_code": ("Syy", "Reason"),
    "reason_text": ("Selitys", "Explanation"),
    "steward_action": ("Toimenpide", "What to do"),
    "quarantined_rows": ("Karanteenissa", "Quarantined rows"),
    "raw_rows": ("Raakarivejä", "Raw rows"),
    "staged_rows": ("Vaiheistettu", "Staged rows"),
    "unaccounted_rows": ("Selvittämättä", "Unaccounted rows"),
    "quarantine_share": ("Osuus taulusta", "Share of the table"),
    "newest_loaded_at": ("Uusin poiminta", "Newest extract"),
    "as_of": ("Arvioitu hetkellä", "Judged at"),
    "age_days": ("Ikä päivinä", "Age in days"),
    "days_behind_newest_table": ("Päivää jäljessä", "Days behind the newest table"),
}
LEVEL_LABELS = {
    "age_group": {"all": ("Kaikki iät", "All ages")},
    "sex": {
        "all": ("Kaikki", "All"),
        "male": ("Miehet", "Men"),
        "female": ("Naiset", "Women"),
        "unknown": ("Tuntematon", "Unknown"),
    },
    "heavy_user_group": {
        "all": ("Kaikki", "All"),
        "yes": ("Paljon käyttävät", "Heavy users"),
        "no": ("Muut", "Others"),
    },
    "kaiser_tier": {
        "all": ("Kaikki tasot", "All tiers"),
        "0": ("0 Väestön hyvinvointi", "0 Population wellness"),
        "1": ("1 Omahoidon tuki", "1 Self-management support"),
        "2": ("2 Korkea riski", "2 High risk"),
        "3": ("3 Monialaiset tarpeet", "3 Complex needs"),
    },
    "customer_segment": {
        "all": ("Kaikki segmentit", "All segments"),
        "self_reliant": ("Omatoimiasiakas", "Self-reliant"),
        "cooperative": ("Yhteistyöasiakas", "Cooperative"),
        "community": ("Yhteisöasiakas", "Community"),
        "network": ("Verkostoasiakas", "Network"),
    },
    "language_group": {
        "all": ("Kaikki", "All"),
        "fi": ("suomi", "Finnish"),
        "sv": ("ruotsi", "Swedish"),
        "other": ("muu", "other"),
    },
    "status": {
        "all": ("Kaikki", "All"),
        "pass": ("läpäisi", "pass"),
        "warn": ("varoitus", "warning"),
        "fail": ("epäonnistui", "fail"),
    },
    "municipality_code": {
        "all": ("Koko alue", "Whole county"),
        "undisclosed": ("Turvakielto", "Non-disclosure"),
    },
}
# Filters come first in this order; others follow in the mart's column order.
FILTER_ORDER = ("age_group", "sex", "heavy_user_group", "customer_segment", "municipality_code")
AXIS_ORDER = {
    "n_health_services": ["0", "1", "2", "3", "4", "5+"],
    "n_social_services": ["0", "1", "2", "3", "4", "5+"],
    "kaiser_tier": ["3", "2", "1", "0"],
    "customer_segment": ["self_reliant", "cooperative", "community", "network"],
}
SUPPRESSED_LABEL = "suojattu / suppressed"
NO_VALUE_LABEL = "ei tietoa / no value"


def config() -> dict:
    """What report.js needs, as one JSON object."""
    return {
        "views": [
            {**asdict(view), "marts": view.marts, "charts": [asdict(c) for c in view.charts]}
            for view in VIEWS
        ],
        "stewardsPage": STEWARDS_PAGE,
        "columnLabels": COLUMN_LABELS,
        "levelLabels": LEVEL_LABELS,
        "filterOrder": FILTER_ORDER,
        "axisOrder": AXIS_ORDER,
        "suppressedLabel": SUPPRESSED_LABEL,
        "noValueLabel": NO_VALUE_LABEL,
    }
