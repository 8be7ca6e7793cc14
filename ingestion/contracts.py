"""Data contracts: the one place that says what each input file must hold.

Readers parse with these, the great-expectations suites are built from them, and
``docs/contracts.md`` is generated from them (``python -m ingestion.contracts``). A column's
``kind`` decides how its text is parsed:

* ``code``    — a code kept as a string (HCP codes ``RR.PPP.CC.NN``, budget lines, references),
* ``text``    — free text, trimmed,
* ``year``    — a four-digit fiscal, assessment or programme year,
* ``integer`` — a whole number (counts, months, scores),
* ``amount``  — MAD; French decimal comma and thousands spaces accepted; never negative,
* ``date``    — ``dd/mm/yyyy`` or ISO ``yyyy-mm-dd`` (or a date cell in a workbook).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

ColumnKind = Literal["code", "text", "year", "integer", "amount", "date"]

HCP_CODE_PATTERN = r"^\d{2}(?:\.\d{3}(?:\.\d{2}\.\d{1,2})?)?$"
MIN_FISCAL_YEAR = 2015  # the organic laws of 2015 set today's budget regime
MAX_FISCAL_YEAR = 2100

POLARS_TYPES: dict[ColumnKind, pl.DataType] = {
    "code": pl.String,
    "text": pl.String,
    "year": pl.Int32,
    "integer": pl.Int64,
    "amount": pl.Float64,
    "date": pl.Date,
}
KIND_LABELS: dict[ColumnKind, str] = {
    "code": "code (texte)",
    "text": "texte",
    "year": "année (AAAA)",
    "integer": "entier",
    "amount": "montant MAD (virgule décimale acceptée)",
    "date": "date (jj/mm/aaaa ou aaaa-mm-jj)",
}

FINDING_CATEGORIES = ("REV", "DOM", "PROC", "EXP", "HR", "GD", "URB", "GOV", "ACC")
RECOMMENDATION_STATUSES = (
    "non_demarree",
    "en_cours",
    "mise_en_oeuvre",
    "verifiee",
    "non_applicable",
    "refusee",
)
MISSION_STATUSES = ("planifiee", "en_cours", "rapport", "cloturee", "annulee")
BUDGETS = ("principal", "annexe", "comptes_speciaux")
# Kinds of urbanism authorisation on the national e-permit platform (Rokhas); which of them
# carry the construction or subdivision tax (loi 47-06) is a methodology seed, not a contract.
PERMIT_KINDS = ("construire", "lotir", "morceler", "demolir", "habiter")
COSO_COMPONENTS = (
    "environnement_controle",
    "evaluation_risques",
    "activites_controle",
    "information_communication",
    "pilotage",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    description: str
    required: bool = True  # a value must be present on every row
    allowed: tuple[str, ...] = ()  # closed list of codes, when the contract has one
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class RowRule:
    """A check across columns on parsed values; `invalid()` is true on the rows that break it."""

    column: str
    reason: str
    invalid: Callable[[], pl.Expr]


@dataclass(frozen=True)
class Contract:
    source: str  # who sends it: tgr (treasury), fec (lender), rh, marches, ci, audit, urbanisme
    entity: str
    title_fr: str
    file_glob: str  # under the inbox
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within a file and across the landed data
    collectivity_column: str = "code_collectivite"
    year_column: str | None = "exercice"  # None: not partitioned by fiscal year
    # A newer file replaces the rows of an older one for the same values of these columns
    # (by default: same collectivity and fiscal year).
    replaces_by: tuple[str, ...] = ()
    row_rules: tuple[RowRule, ...] = ()
    # Workbooks: the sheet to read, and "Label : value" lines of the title block that give
    # columns the rows do not repeat (e.g. the collectivity of a questionnaire).
    sheet_name: str | None = None
    title_fields: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def asset_key(self) -> list[str]:
        return [self.source, self.entity]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: POLARS_TYPES[c.kind] for c in self.columns}

    @property
    def header(self) -> list[str]:
        """The columns a file carries in its header row (title-block fields come from above it)."""
        titled = {name for name, _ in self.title_fields}
        return [c.name for c in self.columns if c.name not in titled]

    @property
    def replacement_key(self) -> tuple[str, ...]:
        if self.replaces_by:
            return self.replaces_by
        return tuple(c for c in (self.collectivity_column, self.year_column) if c)

    @property
    def is_partitioned(self) -> bool:
        return self.year_column is not None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _collectivity() -> Column:
    return Column("code_collectivite", "code", "Code HCP 2024 de la collectivité")


def _fiscal_year(description: str = "Exercice budgétaire") -> Column:
    return Column("exercice", "year", description)


def _date_in_fiscal_year(column: str) -> RowRule:
    return RowRule(
        column,
        "date hors de l'exercice",
        lambda: pl.col(column).dt.year() != pl.col("exercice"),
    )


def _not_before(column: str, reference: str, reason: str) -> RowRule:
    return RowRule(column, reason, lambda: pl.col(column) < pl.col(reference))


BUDGET_EXECUTION = Contract(
    source="tgr",
    entity="budget_execution",
    title_fr="Exécution budgétaire (extrait du comptable)",
    file_glob="budget_execution/*.csv",
    columns=(
        _collectivity(),
        _fiscal_year(),
        Column(
            "code_ligne", "code", "Ligne de la nomenclature budgétaire (partie.chapitre.article)"
        ),
        Column("libelle_ligne", "text", "Libellé de la ligne", required=False),
        Column("credits_initiaux", "amount", "Crédits ou prévisions initiaux", required=False),
        Column("credits_definitifs", "amount", "Crédits ou prévisions définitifs", required=False),
        Column("engagements", "amount", "Dépenses engagées", required=False),
        Column("paiements", "amount", "Dépenses payées (mandats visés)", required=False),
        Column("emissions", "amount", "Recettes émises", required=False),
        Column("recouvrements", "amount", "Recettes recouvrées", required=False),
    ),
    key=("code_collectivite", "exercice", "code_ligne"),
    notes=("Une ligne par collectivité, exercice et ligne budgétaire.",),
)

REVENUE_ARREARS = Contract(
    source="tgr",
    entity="revenue_arrears",
    title_fr="État des restes à recouvrer (RAR)",
    file_glob="revenue_arrears/*.csv",
    columns=(
        _collectivity(),
        _fiscal_year("Exercice à la clôture duquel le reste est arrêté"),
        Column(
            "code_taxe",
            "text",
            "Taxe ou redevance",
            allowed=("TP", "TH", "TSC", "TNB", "TC", "TL", "ODP", "SOUK"),
        ),
        Column("libelle_taxe", "text", "Libellé de la taxe", required=False),
        Column("annee_emission", "year", "Année d'émission de l'ordre de recette"),
        Column("reste_a_recouvrer", "amount", "Reste à recouvrer à la clôture"),
    ),
    key=("code_collectivite", "exercice", "code_taxe", "annee_emission"),
    row_rules=(
        RowRule(
            "annee_emission",
            "année d'émission postérieure à l'exercice",
            lambda: pl.col("annee_emission") > pl.col("exercice"),
        ),
    ),
)

DEBT = Contract(
    source="fec",
    entity="debt",
    title_fr="Encours de la dette (prêts FEC et autres prêteurs)",
    file_glob="debt/*.csv",
    columns=(
        _collectivity(),
        _fiscal_year(),
        Column("reference_pret", "code", "Référence du prêt"),
        Column("preteur", "text", "Prêteur", allowed=("FEC", "TRESOR", "BANQUE", "AUTRE")),
        Column("encours_fin_exercice", "amount", "Capital restant dû à la clôture"),
        Column("interets_payes", "amount", "Intérêts payés dans l'exercice"),
        Column("principal_rembourse", "amount", "Principal remboursé dans l'exercice"),
    ),
    key=("code_collectivite", "exercice", "reference_pret"),
)

PAYROLL = Contract(
    source="rh",
    entity="payroll",
    title_fr="Paie mensuelle (identifiants hachés)",
    file_glob="payroll/*.csv",
    columns=(
        _collectivity(),
        _fiscal_year(),
        Column("mois", "integer", "Mois de paie (1 à 12)", min_value=1, max_value=12),
        Column("id_agent", "code", "Identifiant de l'agent (haché)"),
        Column("cin_hash", "code", "CIN hachée (SHA-256)"),
        Column("rib_hash", "code", "RIB haché (SHA-256)"),
        Column("grade", "text", "Grade", required=False),
        Column(
            "affectation", "text", "Service d'affectation (vide : sans affectation)", required=False
        ),
        Column("salaire_brut", "amount", "Salaire brut du mois"),
        Column("date_cessation", "date", "Date de cessation de fonctions", required=False),
    ),
    key=("code_collectivite", "exercice", "mois", "id_agent"),
    notes=("Les identifiants personnels arrivent hachés : la plateforme ne reçoit ni CIN ni RIB.",),
)

PROCUREMENT = Contract(
    source="marches",
    entity="procurement",
    title_fr="Commande publique : marchés et bons de commande",
    file_glob="procurement/*.csv",
    columns=(
        _collectivity(),
        _fiscal_year(),
        Column("reference", "code", "Référence du marché ou du bon de commande"),
        Column(
            "type_procedure",
            "text",
            "Mode de passation",
            allowed=("appel_offres_ouvert", "appel_offres_restreint", "negocie", "bon_commande"),
        ),
        Column("objet", "text", "Objet", required=False),
        Column("code_ligne", "code", "Ligne budgétaire imputée"),
        Column("fournisseur_ice", "code", "ICE du titulaire"),
        Column("estimation", "amount", "Estimation de l'administration", required=False),
        Column("nb_offres", "integer", "Nombre d'offres reçues", min_value=0),
        Column("montant_attribue", "amount", "Montant attribué"),
        Column("montant_final", "amount", "Montant final (avenants compris)", required=False),
        Column("date_lancement", "date", "Date de lancement"),
        Column("date_attribution", "date", "Date d'attribution"),
        Column("delai_prevu_jours", "integer", "Délai d'exécution prévu (jours)", required=False),
        Column("delai_reel_jours", "integer", "Délai d'exécution réel (jours)", required=False),
    ),
    key=("code_collectivite", "exercice", "reference"),
    row_rules=(
        _date_in_fiscal_year("date_attribution"),
        _not_before("date_attribution", "date_lancement", "attribution avant le lancement"),
    ),
)

PAYMENTS = Contract(
    source="tgr",
    entity="payments",
    title_fr="Mandats de paiement",
    file_glob="payments/*.csv",
    columns=(
        _collectivity(),
        _fiscal_year(),
        Column("numero_mandat", "code", "Numéro du mandat"),
        Column("date_mandat", "date", "Date d'émission du mandat"),
        Column("fournisseur_ice", "code", "ICE du bénéficiaire"),
        Column("reference_facture", "text", "Référence de la facture", required=False),
        Column("montant", "amount", "Montant du mandat"),
        Column("code_ligne", "code", "Ligne budgétaire imputée"),
        Column("statut", "text", "Visa du comptable", allowed=("vise", "rejete")),
    ),
    key=("code_collectivite", "exercice", "numero_mandat"),
    row_rules=(_date_in_fiscal_year("date_mandat"),),
)

IC_DIAGNOSTIC = Contract(
    source="ci",
    entity="ic_diagnostic",
    title_fr="Diagnostic du contrôle interne (questionnaire COSO, classeur par collectivité)",
    file_glob="ic_diagnostic/*.xlsx",
    columns=(
        _collectivity(),
        _fiscal_year("Campagne d'autoévaluation"),
        Column("code_question", "code", "Code de la question (ex. CE-01)"),
        Column("composante", "text", "Composante COSO", allowed=COSO_COMPONENTS),
        Column("principe", "integer", "Principe COSO (1 à 17)", min_value=1, max_value=17),
        Column("question", "text", "Intitulé", required=False),
        Column("score", "integer", "Niveau de maturité (0 à 5)", min_value=0, max_value=5),
        Column("preuve", "text", "Élément probant", required=False),
    ),
    key=("code_collectivite", "exercice", "code_question"),
    sheet_name="Questionnaire",
    title_fields=(("code_collectivite", "Code collectivité"), ("exercice", "Campagne")),
    notes=(
        "Le classeur porte un bloc de titre (collectivité, campagne) au-dessus de l'en-tête ;",
        "la collectivité et la campagne viennent de ce bloc.",
    ),
)

AUDIT_CELLS = Contract(
    source="audit",
    entity="audit_cells",
    title_fr="Cellules d'audit interne",
    file_glob="audit_cells/*.csv",
    columns=(
        _collectivity(),
        Column("date_creation", "date", "Date de création de la cellule"),
        Column("date_adoption_charte", "date", "Date d'adoption de la charte", required=False),
        Column("nb_auditeurs", "integer", "Auditeurs affectés", min_value=0),
        Column("jours_auditeur_an", "integer", "Capacité annuelle (jours-auditeur)", min_value=0),
    ),
    key=("code_collectivite",),
    year_column=None,
    row_rules=(
        _not_before("date_adoption_charte", "date_creation", "charte adoptée avant la création"),
    ),
)

AUDIT_MISSIONS = Contract(
    source="audit",
    entity="missions",
    title_fr="Missions d'audit",
    file_glob="missions/*.csv",
    columns=(
        Column("reference_mission", "code", "Référence de la mission"),
        _collectivity(),
        Column("annee_programme", "year", "Année du programme"),
        Column("type_programme", "text", "Programme", allowed=("annuel", "pluriannuel")),
        Column("auditeur", "text", "Qui audite", allowed=("audit_interne", "IGAT", "IGF", "CRC")),
        Column("processus", "text", "Processus audité"),
        Column("date_debut_prevue", "date", "Début prévu"),
        Column("date_fin_prevue", "date", "Fin prévue"),
        Column("date_debut_reelle", "date", "Début réel", required=False),
        Column("date_fin_reelle", "date", "Fin réelle", required=False),
        Column("jours_prevus", "integer", "Jours-auditeur prévus", min_value=0),
        Column("jours_reels", "integer", "Jours-auditeur consommés", required=False, min_value=0),
        Column("statut", "text", "Statut", allowed=MISSION_STATUSES),
    ),
    key=("reference_mission",),
    year_column=None,
    replaces_by=("reference_mission",),
    row_rules=(
        _not_before("date_fin_prevue", "date_debut_prevue", "fin prévue avant le début prévu"),
        _not_before("date_fin_reelle", "date_debut_reelle", "fin réelle avant le début réel"),
    ),
)

FINDINGS = Contract(
    source="audit",
    entity="findings",
    title_fr="Constats d'audit",
    file_glob="findings/*.csv",
    columns=(
        Column("reference_constat", "code", "Référence du constat"),
        Column("reference_mission", "code", "Mission qui l'a établi"),
        _collectivity(),
        Column("categorie", "text", "Catégorie (taxonomie DOMAIN §3)", allowed=FINDING_CATEGORIES),
        Column("sous_categorie", "text", "Sous-catégorie", required=False),
        Column("cause_racine", "text", "Cause racine", required=False),
        Column("criticite", "integer", "Criticité (1 à 4)", min_value=1, max_value=4),
        Column("impact_financier", "amount", "Impact financier estimé", required=False),
        Column("date_constat", "date", "Date du constat"),
    ),
    key=("reference_constat",),
    year_column=None,
    replaces_by=("reference_constat",),
)

RECOMMENDATIONS = Contract(
    source="audit",
    entity="recommendations",
    title_fr="Recommandations",
    file_glob="recommendations/*.csv",
    columns=(
        Column("reference_recommandation", "code", "Référence de la recommandation"),
        Column("reference_constat", "code", "Constat d'origine"),
        _collectivity(),
        Column("libelle", "text", "Recommandation", required=False),
        Column("responsable", "text", "Responsable de la mise en œuvre (division)"),
        Column("priorite", "integer", "Priorité (1 haute à 3 basse)", min_value=1, max_value=3),
        Column("date_emission", "date", "Date d'émission"),
        Column("date_echeance", "date", "Échéance"),
    ),
    key=("reference_recommandation",),
    year_column=None,
    replaces_by=("reference_recommandation",),
    row_rules=(_not_before("date_echeance", "date_emission", "échéance avant l'émission"),),
)

RECOMMENDATION_EVENTS = Contract(
    source="audit",
    entity="recommendation_events",
    title_fr="Suivi des recommandations (changements de statut datés)",
    file_glob="recommendation_events/*.csv",
    columns=(
        Column("reference_recommandation", "code", "Recommandation"),
        _collectivity(),
        Column("date_evenement", "date", "Date du changement de statut"),
        Column("statut", "text", "Nouveau statut", allowed=RECOMMENDATION_STATUSES),
        Column(
            "declare_par",
            "text",
            "Qui le déclare (l'audité déclare, l'auditeur vérifie)",
            allowed=("audite", "auditeur"),
        ),
        Column("preuve", "text", "Élément probant", required=False),
    ),
    key=("reference_recommandation", "date_evenement", "statut"),
    year_column=None,
    replaces_by=("reference_recommandation", "date_evenement", "statut"),
    row_rules=(
        RowRule(
            "declare_par",
            "seul un auditeur peut vérifier une recommandation",
            lambda: (pl.col("statut") == "verifiee") & (pl.col("declare_par") != "auditeur"),
        ),
    ),
)

AVAILABLE_SURPLUSES = Contract(
    source="tgr",
    entity="available_surpluses",
    title_fr="État des excédents disponibles (comptable)",
    file_glob="available_surpluses/*.csv",
    columns=(
        _collectivity(),
        _fiscal_year("Exercice à la clôture duquel l'excédent est arrêté"),
        Column("budget", "text", "Budget", allowed=BUDGETS),
        Column("excedent_cumule", "amount", "Excédent cumulé à la clôture (fonds au Trésor)"),
        Column(
            "excedent_affecte",
            "amount",
            "Part affectée (crédits reportés, dépenses engagées)",
            required=False,
        ),
        Column("excedent_disponible", "amount", "Excédent disponible, non affecté"),
    ),
    key=("code_collectivite", "exercice", "budget"),
    row_rules=(
        RowRule(
            "excedent_disponible",
            "excédent disponible supérieur à l'excédent cumulé",
            lambda: pl.col("excedent_disponible") > pl.col("excedent_cumule"),
        ),
    ),
    notes=(
        "Une ligne par collectivité, exercice et budget (principal, annexe, comptes spéciaux).",
    ),
)

URBANISM_PERMITS = Contract(
    source="urbanisme",
    entity="urbanism_permits",
    title_fr="Registre des autorisations d'urbanisme (export de la plateforme e-permis)",
    file_glob="urbanism_permits/*.csv",
    columns=(
        _collectivity(),
        _fiscal_year("Exercice de délivrance"),
        Column("numero_autorisation", "code", "Numéro de l'autorisation"),
        Column("type_autorisation", "text", "Nature de l'autorisation", allowed=PERMIT_KINDS),
        Column("date_delivrance", "date", "Date de délivrance"),
        Column(
            "reference_quittance",
            "code",
            "Référence de la quittance de la taxe (vide : aucune quittance)",
            required=False,
        ),
    ),
    key=("code_collectivite", "exercice", "numero_autorisation"),
    row_rules=(_date_in_fiscal_year("date_delivrance"),),
    notes=(
        "Une ligne par autorisation délivrée ; la quittance est celle de la taxe sur les "
        "opérations de construction ou de lotissement payée à la régie (loi 47-06).",
    ),
)

CONTRACTS: tuple[Contract, ...] = (
    BUDGET_EXECUTION,
    REVENUE_ARREARS,
    DEBT,
    PAYROLL,
    PROCUREMENT,
    PAYMENTS,
    IC_DIAGNOSTIC,
    AUDIT_CELLS,
    AUDIT_MISSIONS,
    FINDINGS,
    RECOMMENDATIONS,
    RECOMMENDATION_EVENTS,
    AVAILABLE_SURPLUSES,
    URBANISM_PERMITS,
)


def contracts_markdown() -> str:
    """docs/contracts.md, generated from the contracts above."""
    lines = [
        "# Input contracts",
        "",
        "Generated from `ingestion/contracts.py` by `python -m ingestion.contracts`; do not edit.",
        "",
        "Every file: `;` or `,` separated, UTF-8 (with or without BOM), Windows-1256 or Latin-1;",
        "amounts in MAD with a decimal comma and thousands spaces accepted; dates `jj/mm/aaaa` or",
        "ISO. A row that breaks its contract goes to quarantine with the file, row, column, value",
        "and reason; a file that cannot be read at all is rejected with one message.",
        "",
    ]
    for contract in CONTRACTS:
        partition = (
            f"partitioned by fiscal year (`{contract.year_column}`)"
            if contract.is_partitioned
            else "not partitioned"
        )
        lines += [
            f"## {contract.title_fr} — `{contract.source}/{contract.entity}`",
            "",
            f"* files: `inbox/{contract.file_glob}`"
            + (f", sheet `{contract.sheet_name}`" if contract.sheet_name else ""),
            f"* key: {', '.join(f'`{k}`' for k in contract.key)}; {partition}",
            "* a newer file replaces an older one for the same "
            + ", ".join(f"`{k}`" for k in contract.replacement_key),
        ]
        lines += [
            f"* title block: `{label} : …` gives `{col}`" for col, label in contract.title_fields
        ]
        lines += [f"* rule: {rule.reason} (`{rule.column}`)" for rule in contract.row_rules]
        lines += [f"* {note}" for note in contract.notes]
        lines += [
            "",
            "| column | type | required | allowed / range | meaning |",
            "|---|---|---|---|---|",
        ]
        for c in contract.columns:
            allowed = ", ".join(c.allowed)
            if c.min_value is not None or c.max_value is not None:
                allowed = f"{c.min_value if c.min_value is not None else ''}–{c.max_value or ''}"
            lines.append(
                f"| `{c.name}` | {KIND_LABELS[c.kind]} | {'oui' if c.required else 'non'} "
                f"| {allowed} | {c.description} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(contracts_markdown(), end="")
