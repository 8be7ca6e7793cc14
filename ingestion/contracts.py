"""Data contracts: the one place that says what each input file must hold.

Readers parse with these, the great-expectations suites are built from them, and
``docs/contracts.md`` describes them. A column's ``kind`` decides how text is parsed:

* ``code``   — an HCP code kept as a string (``RR``, ``RR.PPP`` or ``RR.PPP.CC.NN``),
* ``text``   — free text, trimmed,
* ``year``   — a four-digit fiscal or assessment year,
* ``amount`` — MAD, French decimal comma and thousands spaces accepted, never negative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

ColumnKind = Literal["code", "text", "year", "amount"]

HCP_CODE_PATTERN = r"^\d{2}(?:\.\d{3}(?:\.\d{2}\.\d{1,2})?)?$"
MIN_FISCAL_YEAR = 2015  # the organic laws of 2015 set today's budget regime
MAX_FISCAL_YEAR = 2100

POLARS_TYPES: dict[ColumnKind, pl.DataType] = {
    "code": pl.String,
    "text": pl.String,
    "year": pl.Int32,
    "amount": pl.Float64,
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    description: str
    required: bool = True  # a value must be present on every row
    allowed: tuple[str, ...] = ()  # closed list of codes, when the contract has one


@dataclass(frozen=True)
class RowRule:
    """A check across columns on parsed values; `invalid()` is true on the rows that break it."""

    column: str
    reason: str
    invalid: Callable[[], pl.Expr]


@dataclass(frozen=True)
class Contract:
    source: str  # who sends it (tgr = Trésorerie Générale du Royaume)
    entity: str
    title_fr: str
    file_glob: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    collectivity_column: str = "code_collectivite"
    year_column: str = "exercice"
    row_rules: tuple[RowRule, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def asset_key(self) -> list[str]:
        return [self.source, self.entity]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: POLARS_TYPES[c.kind] for c in self.columns}

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


BUDGET_EXECUTION = Contract(
    source="tgr",
    entity="budget_execution",
    title_fr="Exécution budgétaire (extrait du comptable)",
    file_glob="budget_execution/*.csv",
    columns=(
        Column("code_collectivite", "code", "Code HCP 2024 de la collectivité"),
        Column("exercice", "year", "Exercice budgétaire"),
        Column(
            "code_ligne", "code", "Ligne de la nomenclature budgétaire (partie.chapitre.article)"
        ),
        Column("libelle_ligne", "text", "Libellé de la ligne", required=False),
        Column(
            "credits_initiaux", "amount", "Crédits ou prévisions initiaux (MAD)", required=False
        ),
        Column(
            "credits_definitifs", "amount", "Crédits ou prévisions définitifs (MAD)", required=False
        ),
        Column("engagements", "amount", "Dépenses engagées (MAD)", required=False),
        Column("paiements", "amount", "Dépenses payées (mandats visés, MAD)", required=False),
        Column("emissions", "amount", "Recettes émises (MAD)", required=False),
        Column("recouvrements", "amount", "Recettes recouvrées (MAD)", required=False),
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
        Column("code_collectivite", "code", "Code HCP 2024 de la collectivité"),
        Column("exercice", "year", "Exercice à la clôture duquel le reste est arrêté"),
        Column(
            "code_taxe",
            "text",
            "Taxe ou redevance",
            allowed=("TP", "TH", "TSC", "TNB", "TC", "TL", "ODP", "SOUK"),
        ),
        Column("libelle_taxe", "text", "Libellé de la taxe", required=False),
        Column("annee_emission", "year", "Année d'émission de l'ordre de recette"),
        Column("reste_a_recouvrer", "amount", "Reste à recouvrer à la clôture (MAD)"),
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

CONTRACTS: tuple[Contract, ...] = (BUDGET_EXECUTION, REVENUE_ARREARS)
