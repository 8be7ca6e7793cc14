"""Labels (French / Arabic) and Moroccan number formatting, for the dashboards, the reports and
the command line.

The current language is what the registered provider says (the dashboards register the
session's choice; see ``set_language_provider``), French otherwise. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pandas as pd

LANGUAGES: dict[str, str] = {"fr": "Français", "ar": "العربية"}
DEFAULT_LANG = "fr"
MISSING = "—"

FR: dict[str, str] = {
    "app_title": "Tadqiq — cartographie des risques des collectivités territoriales",
    "language": "Langue / اللغة",
    "warehouse_snapshot": "Entrepôt : {name}",
    "no_warehouse": "Aucun entrepôt publié : lancez `make demo`",
    "no_warehouse_path": "Emplacement attendu : {path}",
    "page_national": "Vue nationale",
    "page_collectivity": "Fiche collectivité",
    "fiscal_year": "Exercice",
    "level": "Niveau",
    "level_region": "Région",
    "level_province": "Province / préfecture",
    "level_commune": "Commune",
    "level_arrondissement": "Arrondissement",
    "type_region": "Région",
    "type_prefecture": "Préfecture",
    "type_province": "Province",
    "type_urban_commune": "Commune urbaine",
    "type_rural_commune": "Commune rurale",
    "type_arrondissement": "Arrondissement",
    "map_metric": "Indicateur cartographié",
    "composite_score": "Score composite (0–100)",
    "inherent_risk": "Risque inhérent L×I (1–25)",
    "likelihood": "Probabilité L (1–5)",
    "impact": "Impact I (1–5)",
    "risk_class": "Classe de risque",
    "class_low": "Faible",
    "class_moderate": "Modéré",
    "class_high": "Élevé",
    "class_critical": "Critique",
    "kpi_scored": "Collectivités notées",
    "kpi_critical": "Risque critique",
    "kpi_mean_score": "Score composite moyen (0–100)",
    "map_title": "Carte des risques — {level}, exercice {year}",
    "map_missing_geometries": (
        "{count} collectivité(s) sans géométrie ne figurent pas sur la carte."
    ),
    "map_arrondissements": (
        "Les arrondissements disposant d'une géométrie sont superposés à leur commune."
    ),
    "hover_score": "Score composite",
    "hover_inherent": "Risque inhérent L×I",
    "hover_class": "Classe",
    "ranking_title": "Classement — {level}, exercice {year}",
    "ranking_hint": "Sélectionnez une ligne pour ouvrir la fiche de la collectivité.",
    "col_code": "Code",
    "col_rank": "Rang national",
    "col_name_fr": "Nom (FR)",
    "col_name_ar": "Nom (AR)",
    "col_level": "Niveau",
    "col_province": "Province",
    "col_region": "Région",
    "distribution_title": "Répartition par classe de risque — {level}, exercice {year}",
    "axis_count": "Nombre de collectivités",
    "no_scores": "Aucun score disponible pour cette sélection.",
    "region": "Région",
    "collectivity": "Collectivité",
    "type": "Type",
    "population_2024": "Population 2024 (habitants)",
    "rollout_phase": "Phase de déploiement",
    "phase": "Phase {phase}",
    "national_rank": "Rang national",
    "not_ranked": "Non classé",
    "level_rank": "rang {rank} au niveau {level}",
    "matrix_title": "Matrice des risques — probabilité × impact, exercice {year}",
    "matrix_marker": "Position de la collectivité",
    "domains_title": "Scores par domaine — exercice {year}",
    "axis_domain": "Domaine",
    "axis_domain_score": "Score de domaine (0–100)",
    "coverage": "Couverture des indicateurs",
    "indicators_title": "Indicateurs — exercice {year}",
    "no_indicators": "Aucun indicateur calculé pour cet exercice.",
    "col_indicator": "Indicateur",
    "col_domain": "Domaine",
    "col_value": "Valeur",
    "col_band": "Seuil",
    "col_sub_score": "Sous-score (0–100)",
    "col_green_threshold": "Seuil vert",
    "col_red_threshold": "Seuil rouge",
    "band_green": "Vert",
    "band_amber": "Orange",
    "band_red": "Rouge",
    "band_none": "Sans donnée",
    "unit_years": "ans",
    "methodology": "Méthodologie {version}",
    "page_quality": "Qualité des données",
    "page_access_log": "Journal des accès",
    "page_regional": "Vue régionale — {region}",
    "quality_placeholder": (
        "Cette page accueillera les contrôles de qualité des données et le suivi du pipeline. "
        "Elle ne montre aucune donnée de risque des collectivités."
    ),
    "denied_out_of_scope": (
        "Accès refusé : la collectivité {code} n'est pas dans votre périmètre. "
        "Cette tentative est enregistrée dans le journal des accès."
    ),
    "denied_no_quality_data": (
        "Accès refusé : la qualité des données est réservée au ministère et à l'équipe données. "
        "Cette tentative est enregistrée dans le journal des accès."
    ),
    "quality_intro": (
        "Chaque fichier reçu est soit chargé, soit rejeté avec un message ; chaque ligne "
        "chargée est soit retenue, soit mise en quarantaine avec sa raison. Rien n'est perdu."
    ),
    "quality_files": "Fichiers reçus",
    "quality_rejected": "Fichiers rejetés",
    "quality_superseded": "Fichiers remplacés",
    "quality_rows_read": "Lignes lues",
    "quality_rows_landed": "Lignes chargées",
    "quality_rows_quarantined": "Lignes en quarantaine",
    "quality_by_source": "Par source",
    "quality_last_ingest": "Dernière réception",
    "quality_freshness_hours": "Fraîcheur (heures)",
    "quality_rejected_files": "Fichiers rejetés et leur message",
    "quality_quarantine": "Valeurs mises en quarantaine",
    "quality_reason_chart": "Raisons de mise en quarantaine (nombre de valeurs)",
    "quality_reason": "Raison",
    "quality_count": "Nombre de valeurs",
    "quality_source": "Source",
    "quality_file": "Fichier",
    "quality_row": "Ligne",
    "quality_column": "Colonne",
    "quality_value": "Valeur reçue",
    "quality_status": "Statut",
    "quality_message": "Message",
    "quality_per_collectivity": "Dernière réception par source et collectivité",
    "quality_latest_year": "Dernier exercice",
    "quality_all_sources": "Toutes les sources",
    "quality_none": "Aucune valeur en quarantaine.",
    "quality_no_rejection": "Aucun fichier rejeté.",
    "denied_no_risk_data": (
        "Accès refusé : l'équipe données n'a pas accès aux données de risque des collectivités. "
        "Cette tentative est enregistrée dans le journal des accès."
    ),
    "denied_ministry_only": (
        "Accès refusé : le journal des accès est réservé au ministère. "
        "Cette tentative est enregistrée dans le journal des accès."
    ),
    "denied_no_role": (
        "Accès refusé : aucun rôle Tadqiq n'est attribué à ce compte ; "
        "contactez l'administrateur de la plateforme."
    ),
    "login_title": "Connexion",
    "login_intro": (
        "Les scores de risque et les constats d'audit des collectivités sont confidentiels : "
        "connectez-vous pour continuer."
    ),
    "login_user": "Identifiant",
    "login_password": "Mot de passe",
    "login_submit": "Se connecter",
    "login_failed": "Identifiant ou mot de passe incorrect.",
    "login_locked": (
        "Trop de tentatives échouées : ce compte est verrouillé pendant {minutes} minutes."
    ),
    "login_no_accounts": (
        "Aucun compte local : lancez `tadqiq accounts` pour créer les comptes de démonstration."
    ),
    "login_oidc": "Se connecter avec l'identité du ministère",
    "logout": "Se déconnecter",
    "signed_in_as": "Connecté : {user} · {role}",
    "scope_ministry": "Périmètre : national",
    "scope_region": "Périmètre : région {area}",
    "scope_collectivity": "Périmètre : collectivité {area} et ses arrondissements",
    "scope_data_team": "Périmètre : qualité et pipeline, sans données de risque",
    "role_ministry": "Ministère",
    "role_region": "Région",
    "role_collectivity": "Auditeur de collectivité",
    "role_data_team": "Équipe données",
    "log_chain_ok": "Chaîne d'empreintes intègre : {count} enregistrement(s) vérifié(s).",
    "log_chain_broken": (
        "Chaîne d'empreintes rompue à la ligne {line} ({reason}) : le journal a été altéré."
    ),
    "log_chain_head": "Empreinte du dernier enregistrement (à conserver hors du serveur) : {sha}",
    "log_empty": "Le journal des accès est vide.",
    "log_all": "Tous",
    "log_filter_user": "Utilisateur",
    "log_filter_action": "Action",
    "log_filter_outcome": "Résultat",
    "log_filter_code": "Code de collectivité (début)",
    "log_filter_dates": "Période (UTC)",
    "log_shown": "{shown} enregistrement(s) affiché(s) sur {total}.",
    "log_col_ts": "Horodatage (UTC)",
    "log_col_user": "Utilisateur",
    "log_col_role": "Rôle",
    "log_col_action": "Action",
    "log_col_code": "Collectivité",
    "log_col_outcome": "Résultat",
    "log_col_detail": "Détail",
    "unit_mad": "MAD",
    "unit_points": "points",
    "col_rank_interval": "Intervalle de rang p5–p95",
    "col_unstable": "Rang instable",
    "unstable_yes": "⚠️ instable",
    "unstable_no": "stable",
    "ranking_interval_hint": (
        "L'intervalle p5–p95 donne les rangs obtenus dans 90 % des simulations de "
        "pondération : un rang « instable » dépend fortement des poids retenus."
    ),
    "rank_interval_title": "Intervalle de rang p5–p95 — {count} collectivités les plus à risque",
    "axis_rank": "Rang national (1 = plus à risque)",
    "legend_rank": "Rang publié",
    "legend_interval": "Intervalle p5–p95",
    "legend_unstable": "Rang instable",
    "residual_risk": "Risque résiduel (1–25)",
    "residual_class": "Classe résiduelle",
    "score_card_title": "Fiche de score — exercice {year}",
    "score_card_hint": (
        "Contribution de chaque indicateur au score composite (en points sur 100) ; "
        "les contributions additionnées donnent le score composite."
    ),
    "score_card_chart_title": "Contribution des domaines au score composite — exercice {year}",
    "axis_contribution": "Contribution au score composite (points sur 100)",
    "legend_total": "Score composite",
    "legend_domain_contribution": "Contribution d'un domaine",
    "no_score_card": "Aucune fiche de score pour cet exercice.",
    "col_line": "Ligne",
    "col_previous_value": "Valeur N-1",
    "col_weight": "Poids dans le domaine",
    "col_contribution": "Contribution (points)",
    "col_change": "Variation depuis N-1 (points)",
    "line_adjustment": "Ajustement du domaine",
    "register_title": "Registre des risques — exercice {year}",
    "register_hint": "Risques classés du plus élevé au plus faible (risque inhérent L×I).",
    "no_register": "Aucun registre des risques pour cet exercice.",
    "register_matrix_title": "Registre des risques sur la matrice 5×5 — exercice {year}",
    "matrix_count": "Nombre de risques du registre",
    "col_risk": "Risque",
    "col_process": "Processus",
    "col_findings": "Constats (3 ans)",
    "col_control_reduction": "Réduction par le contrôle interne",
    "domain_heatmaps_title": "Matrices 5×5 par domaine — exercice {year}",
    "domain_heatmaps_hint": (
        "Chaque petite matrice situe un domaine : probabilité du domaine (selon son score) × "
        "impact de la collectivité. ◯ : position du domaine."
    ),
    "red_flag": "drapeau rouge",
    "insufficient_data": "données insuffisantes",
    "downloads_title": "Télécharger la cartographie des risques",
    "downloads_hint": (
        "Les fichiers sont produits à la demande pour la collectivité et l'exercice choisis ; "
        "chaque téléchargement est inscrit au journal des accès."
    ),
    "download_pdf": "PDF ({language})",
    "download_xlsx": "Excel ({language})",
    "download_national": "Télécharger le classement",
    "report_preparing": "Préparation des rapports…",
    "report_ready": "Rapports prêts ({seconds} s)",
    "report_step": "{done} / {total} : {name}",
    "report_title_collectivity": "Cartographie des risques — {name}",
    "report_subtitle": "{type} · code {code} · {place} · exercice {year}",
    "report_confidential": "Diffusion restreinte — document interne de l'inspection",
    "report_generated": (
        "Édité le {date} par {user} · entrepôt {snapshot} · méthodologie {version}"
    ),
    "report_page": "Page {page}",
    "report_summary": "Synthèse",
    "report_heatmap_title": "Carte des risques 5×5 — probabilité × impact",
    "report_heatmap_note": (
        "Chaque case donne le nombre de risques du registre ; la case cerclée est la "
        "position d'ensemble de la collectivité (L = {l}, I = {i})."
    ),
    "report_top_risks": "Principaux risques du registre",
    "report_score_card": "Fiche de score",
    "report_recommendations": "Suivi des recommandations",
    "report_no_recommendation_data": (
        "Aucune donnée de suivi des recommandations n'est encore disponible dans l'entrepôt."
    ),
    "report_no_recommendations": "Aucune recommandation enregistrée pour cette collectivité.",
    "report_recommendations_total": ("{total} recommandation(s), dont {overdue} en retard."),
    "report_sources": "Sources et méthodologie",
    "report_sources_text": (
        "Sources : exportations de la Trésorerie générale du Royaume (exécution budgétaire, "
        "restes à recouvrer), missions d'audit et diagnostic de contrôle interne ; données de "
        "référence HCP (RGPH 2024, cartographie 2014, CC BY 4.0). Méthodologie {version} : "
        "score composite 0–100, probabilité par bandes de score, impact par matérialité, "
        "risque inhérent L×I, risque résiduel après contrôle interne."
    ),
    "report_sheet_register": "Registre",
    "report_sheet_heatmap": "Carte 5x5",
    "report_sheet_score_card": "Fiche de score",
    "report_sheet_sources": "Sources",
    "report_sheet_ranking": "Classement",
    "report_sheet_regions": "Classes par région",
    "report_field": "Élément",
    "report_value": "Valeur",
    "report_source": "Source",
    "report_national_title": "Classement des risques — {level}, exercice {year}",
    "report_national_scope": "Périmètre : {scope}",
    "report_classes_by_region": "Classes de risque par région",
    "report_ranking_top": (
        "Classement ({shown} premières sur {total} ; liste complète dans le classeur Excel)"
    ),
    "report_total": "Total",
    "batch_prepare": "Préparer le lot des {count} cartographies (PDF)",
    "batch_download": "Télécharger le lot (ZIP)",
    "col_status": "Statut",
    "col_count": "Nombre",
    "col_days_open": "Ancienneté médiane (jours)",
    "status_open": "Non démarrée",
    "status_in_progress": "En cours",
    "status_implemented": "Mise en œuvre (déclarée)",
    "status_verified": "Vérifiée",
    "status_refused": "Refusée",
    "status_not_applicable": "Non applicable",
    "status_closed": "Clôturée",
    "status_overdue": "En retard",
    "lang_fr": "français",
    "lang_ar": "arabe",
    # --- audit programme, recommendations, rollout (issue 6) ---
    "page_programme": "Programme d'audit",
    "page_recommendations": "Recommandations",
    "page_rollout": "Déploiement",
    "no_audit_data": (
        "Cet entrepôt ne contient pas encore les données du programme d'audit et du suivi des "
        "recommandations."
    ),
    "as_of": "Situation au {date}",
    "filter_all_regions": "Toutes les régions",
    "filter_all_collectivities": "Toutes les collectivités",
    "programme_year": "Année du programme",
    "kpi_missions_planned": "Missions programmées",
    "kpi_missions_done": "Missions réalisées",
    "kpi_missions_cancelled": "Missions annulées",
    "kpi_execution_rate": "Taux d'exécution",
    "kpi_auditor_days": "Jours-auditeur utilisés",
    "kpi_auditor_days_help": (
        "Jours-auditeur effectivement utilisés par les missions de l'année, comparés aux "
        "jours prévus (missions annulées comprises)."
    ),
    "kpi_days_used_rate": "sur {planned} prévus ({rate})",
    "legend_planned": "Programmées",
    "legend_done": "Réalisées",
    "missions_subtitle": (
        "Réalisées : au stade du rapport ou clôturées ; les annulées restent comptées parmi les "
        "programmées"
    ),
    "legend_cancelled": "Annulées",
    "legend_days_planned": "Jours-auditeur prévus",
    "legend_days_used": "Jours-auditeur utilisés",
    "axis_missions": "Nombre de missions",
    "axis_auditor_days": "Jours-auditeur",
    "axis_execution_rate": "Taux d'exécution (%)",
    "axis_process_lines": "Missions (collectivité × processus)",
    "axis_age": "Ancienneté de la recommandation",
    "axis_open_recommendations": "Recommandations ouvertes",
    "axis_date": "Date",
    "missions_by_year_title": "Missions programmées, réalisées et annulées par année",
    "days_by_year_title": "Jours-auditeur prévus et utilisés par année",
    "execution_map_title_region": "Taux d'exécution du programme {year} par région",
    "execution_map_title_province": "Taux d'exécution du programme {year} par province",
    "execution_map_province_note": (
        "Les missions des conseils régionaux ne relèvent d'aucune province : elles ne figurent "
        "pas sur la carte, mais sont comptées dans les indicateurs et les graphiques."
    ),
    "missions_by_region_title": "Missions du programme {year} par région",
    "missions_by_phase_title": "Missions du programme {year} par phase de déploiement",
    "col_late": "En retard",
    "slipped_title": "Missions en retard — programme {year}",
    "slipped_hint": (
        "{count} mission(s) achevée(s) après la date prévue, ou encore ouvertes après celle-ci "
        "(glissement : jours après la fin prévue)."
    ),
    "no_slipped": "Aucune mission en retard pour cette année.",
    "no_missions": "Aucune mission dans ce périmètre.",
    "col_mission": "Mission",
    "col_audit_body": "Organe",
    "body_audit_interne": "Audit interne",
    "col_planned_start": "Début prévu",
    "col_planned_end": "Fin prévue",
    "col_actual_start": "Début effectif",
    "col_actual_end": "Fin effective",
    "col_slippage": "Glissement (jours)",
    "mission_status_planned": "Planifiée",
    "mission_status_in_progress": "En cours",
    "mission_status_reporting": "Rapport",
    "mission_status_closed": "Clôturée",
    "mission_status_cancelled": "Annulée",
    "proposal_title": "Programme proposé pour {year}",
    "no_proposal": "Aucun programme proposé dans ce périmètre.",
    "kpi_proposed_annual": "Missions des cellules",
    "kpi_proposed_joint": "Inspections conjointes IGAT/IGF",
    "kpi_proposed_days": "{days} jours-auditeur",
    "kpi_proposed_cycle": "Cycle pluriannuel",
    "kpi_cycle_detail": "{missions} mission(s), {collectivities} collectivité(s)",
    "proposal_chart_title": "Missions proposées par année et par type",
    "programme_kind_annual": "Mission de la cellule (annuelle)",
    "programme_kind_joint": "Inspection conjointe IGAT/IGF",
    "programme_kind_multi_year": "Cycle pluriannuel",
    "col_kind": "Type",
    "col_auditor_days": "Jours-auditeur",
    "col_priority": "Priorité",
    "col_reason": "Motif",
    "reason_top_residual_risk_within_cell_capacity": "Risque résiduel élevé, dans la capacité",
    "reason_skipped_does_not_fit_cell_capacity": "Écartée : dépasse la capacité de la cellule",
    "reason_regional_minimum": "Minimum régional",
    "reason_national_priority": "Priorité nationale",
    "reason_skipped_joint_pool_used": "Écartée : enveloppe conjointe épuisée",
    "reason_critical_every_year": "Risque critique : chaque année",
    "reason_cycle_coverage": "Couverture du cycle",
    "differences_title": "Programme proposé et programme adopté",
    "differences_hint": (
        "Comparaison par année, collectivité et processus : programmé des deux côtés, proposé "
        "mais non adopté, adopté sans avoir été proposé (missions de la Cour des comptes "
        "exclues)."
    ),
    "differences_chart_title": "Proposé et adopté par année",
    "no_differences": "Aucune comparaison disponible dans ce périmètre.",
    "difference_both": "Proposé et adopté",
    "difference_proposed_not_adopted": "Proposé, non adopté",
    "difference_adopted_not_proposed": "Adopté, non proposé",
    "col_difference": "Écart",
    "col_proposed_kinds": "Proposition",
    "col_adopted_missions": "Missions adoptées",
    "cell_title": "Cellule d'audit interne",
    "no_cell": "Aucune cellule d'audit interne dans ce périmètre.",
    "kpi_auditors": "Auditeurs",
    "kpi_days_per_year": "Jours-auditeur par an",
    "kpi_programmable_days": "Jours programmables",
    "kpi_charter": "Charte d'audit",
    "charter_none": "Non adoptée",
    "own_missions_title": "Missions de la collectivité",
    "no_recommendations": "Aucune recommandation dans ce périmètre.",
    "kpi_implementation_rate": "Taux de mise en œuvre",
    "kpi_implementation_rate_help": (
        "Recommandations mises en œuvre (déclarées ou vérifiées) parmi celles arrivées à échéance."
    ),
    "kpi_verified_rate": "Taux de vérification",
    "kpi_verified_rate_help": (
        "Recommandations dont la mise en œuvre a été vérifiée par un auditeur, parmi celles "
        "arrivées à échéance."
    ),
    "kpi_overdue_rate": "Taux de retard",
    "kpi_overdue_rate_help": (
        "Recommandations encore ouvertes après leur échéance, parmi celles arrivées à échéance."
    ),
    "kpi_median_days": "Délai médian de mise en œuvre",
    "value_days": "{days} jours",
    "kpi_repeat_findings": "Constats récurrents",
    "kpi_repeat_findings_help": (
        "Constats d'une catégorie déjà relevée dans la même collectivité au cours des trois "
        "années précédentes, sur l'ensemble des constats."
    ),
    "kpi_recommendations_base": (
        "{issued} recommandation(s) émise(s), dont {due} arrivée(s) à échéance ; {declared} "
        "déclarée(s) mise(s) en œuvre, en attente de vérification."
    ),
    "funnel_title": "Avancement des recommandations",
    "funnel_subtitle": (
        "Nombre ayant atteint au moins chaque étape (refusées et non applicables à part)"
    ),
    "funnel_non_demarree": "Émises",
    "funnel_en_cours": "Démarrées",
    "funnel_mise_en_oeuvre": "Mises en œuvre (déclarées)",
    "funnel_verifiee": "Vérifiées",
    "funnel_apart_hint": "Hors parcours : recommandations refusées ou devenues sans objet.",
    "aging_title": "Recommandations ouvertes par ancienneté",
    "age_bucket_0_6": "0 à 6 mois",
    "age_bucket_6_12": "6 à 12 mois",
    "age_bucket_over_12": "Plus de 12 mois",
    "overdue_title": "Recommandations en retard",
    "overdue_hint": (
        "{count} recommandation(s) ouverte(s) après leur échéance, la plus en retard d'abord. "
        "Sélectionnez une ligne pour voir son historique."
    ),
    "no_overdue": "Aucune recommandation en retard.",
    "col_recommendation_id": "Recommandation",
    "col_recommendation": "Intitulé",
    "col_owner": "Responsable (division)",
    "col_issued": "Émise le",
    "col_due": "Échéance",
    "col_days_overdue": "Jours de retard",
    "col_age": "Ancienneté",
    "history_title": "Historique d'une recommandation",
    "history_hint": "Choisissez une recommandation pour voir ses statuts successifs.",
    "history_placeholder": "Choisir une recommandation",
    "history_detail": (
        "Responsable : {owner} · émise le {issued} · échéance {due} · statut : {status}"
    ),
    "history_chart_title": "Statuts successifs de la recommandation",
    "col_from": "Du",
    "col_to": "Au",
    "col_declared_by": "Déclaré par",
    "col_evidence": "Justificatif",
    "denied_recommendation_out_of_scope": (
        "Accès refusé : la recommandation {code} n'est pas dans votre périmètre. "
        "Cette tentative est enregistrée dans le journal des accès."
    ),
    "rollout_intro": (
        "Déploiement de l'audit interne : phase pilote, extension à 90 communes, généralisation "
        "à 160 collectivités, puis à l'ensemble du territoire."
    ),
    "no_rollout": "Aucune collectivité dans ce périmètre.",
    "phase_1": "Phase 1 — pilote",
    "phase_2": "Phase 2 — extension (90)",
    "phase_3": "Phase 3 — généralisation (160)",
    "phase_national": "Généralisation nationale (pas encore)",
    "kpi_in_rollout": "Collectivités engagées",
    "kpi_with_cell": "Avec une cellule d'audit",
    "kpi_with_charter": "Avec une charte adoptée",
    "legend_collectivities": "Collectivités",
    "legend_with_cell": "Avec une cellule",
    "legend_with_charter": "Avec une charte",
    "kpi_in_rollout_detail": "sur {total} collectivités",
    "kpi_repeat_findings_detail": "sur {total} constat(s) ({rate})",
    "rollout_chart_title": "Collectivités, cellules et chartes par phase",
    "col_cumulative": "Cumul",
    "col_cell_rate": "Part avec une cellule",
    "rollout_by_region_title": "Déploiement par région",
    "phase_map_title": "Phases de déploiement — {level}",
}

AR: dict[str, str] = {
    "app_title": "تدقيق — خريطة مخاطر الجماعات الترابية",
    "language": "Langue / اللغة",
    "warehouse_snapshot": "مستودع البيانات: {name}",
    "no_warehouse": "لا يوجد مستودع بيانات منشور: شغّلوا `make demo`",
    "no_warehouse_path": "الموقع المنتظر: {path}",
    "page_national": "النظرة الوطنية",
    "page_collectivity": "بطاقة الجماعة الترابية",
    "fiscal_year": "السنة المالية",
    "level": "المستوى",
    "level_region": "جهة",
    "level_province": "إقليم / عمالة",
    "level_commune": "جماعة",
    "level_arrondissement": "مقاطعة",
    "type_region": "جهة",
    "type_prefecture": "عمالة",
    "type_province": "إقليم",
    "type_urban_commune": "جماعة حضرية",
    "type_rural_commune": "جماعة قروية",
    "type_arrondissement": "مقاطعة",
    "map_metric": "المؤشر المعروض على الخريطة",
    "composite_score": "المؤشر المركب (0–100)",
    "inherent_risk": "الخطر الكامن L×I (1–25)",
    "likelihood": "الاحتمال L (1–5)",
    "impact": "الأثر I (1–5)",
    "risk_class": "فئة الخطر",
    "class_low": "منخفض",
    "class_moderate": "متوسط",
    "class_high": "مرتفع",
    "class_critical": "حرج",
    "kpi_scored": "الجماعات المقيَّمة",
    "kpi_critical": "خطر حرج",
    "kpi_mean_score": "متوسط المؤشر المركب (0–100)",
    "map_title": "خريطة المخاطر — {level}، السنة المالية {year}",
    "map_missing_geometries": "{count} جماعة بدون حدود جغرافية غير معروضة على الخريطة.",
    "map_arrondissements": "المقاطعات التي تتوفر على حدود جغرافية معروضة فوق جماعتها.",
    "hover_score": "المؤشر المركب",
    "hover_inherent": "الخطر الكامن L×I",
    "hover_class": "الفئة",
    "ranking_title": "الترتيب — {level}، السنة المالية {year}",
    "ranking_hint": "اختاروا سطرا لفتح بطاقة الجماعة.",
    "col_code": "الرمز",
    "col_rank": "الترتيب الوطني",
    "col_name_fr": "الاسم (بالفرنسية)",
    "col_name_ar": "الاسم (بالعربية)",
    "col_level": "المستوى",
    "col_province": "الإقليم",
    "col_region": "الجهة",
    "distribution_title": "التوزيع حسب فئة الخطر — {level}، السنة المالية {year}",
    "axis_count": "عدد الجماعات",
    "no_scores": "لا توجد نقاط متاحة لهذا الاختيار.",
    "region": "الجهة",
    "collectivity": "الجماعة الترابية",
    "type": "النوع",
    "population_2024": "عدد السكان 2024 (نسمة)",
    "rollout_phase": "مرحلة التعميم",
    "phase": "المرحلة {phase}",
    "national_rank": "الترتيب الوطني",
    "not_ranked": "غير مصنف",
    "level_rank": "الرتبة {rank} ضمن مستوى: {level}",
    "matrix_title": "مصفوفة المخاطر — الاحتمال × الأثر، السنة المالية {year}",
    "matrix_marker": "موقع الجماعة",
    "domains_title": "نقاط المجالات — السنة المالية {year}",
    "axis_domain": "المجال",
    "axis_domain_score": "نقطة المجال (0–100)",
    "coverage": "تغطية المؤشرات",
    "indicators_title": "المؤشرات — السنة المالية {year}",
    "no_indicators": "لا توجد مؤشرات محسوبة لهذه السنة المالية.",
    "col_indicator": "المؤشر",
    "col_domain": "المجال",
    "col_value": "القيمة",
    "col_band": "العتبة",
    "col_sub_score": "النقطة الفرعية (0–100)",
    "col_green_threshold": "العتبة الخضراء",
    "col_red_threshold": "العتبة الحمراء",
    "band_green": "أخضر",
    "band_amber": "برتقالي",
    "band_red": "أحمر",
    "band_none": "لا توجد بيانات",
    "unit_years": "سنوات",
    "methodology": "المنهجية {version}",
    "page_quality": "جودة البيانات",
    "page_access_log": "سجل الولوج",
    "page_regional": "النظرة الجهوية — {region}",
    "quality_placeholder": (
        "ستتضمن هذه الصفحة مراقبة جودة البيانات وتتبع مسار المعالجة. "
        "لا تعرض أي بيانات عن مخاطر الجماعات."
    ),
    "denied_out_of_scope": (
        "تم رفض الولوج: الجماعة {code} خارج نطاق صلاحياتكم. تم تسجيل هذه المحاولة في سجل الولوج."
    ),
    "denied_no_quality_data": (
        "تم رفض الوصول: جودة البيانات مخصصة للوزارة وفريق البيانات. "
        "تم تسجيل هذه المحاولة في سجل الولوج."
    ),
    "quality_intro": (
        "كل ملف يتم استلامه إما يُحمَّل أو يُرفض مع رسالة؛ وكل سطر إما يُعتمد أو يوضع في "
        "الحجر مع سببه. لا يضيع أي شيء."
    ),
    "quality_files": "الملفات المستلمة",
    "quality_rejected": "الملفات المرفوضة",
    "quality_superseded": "الملفات المستبدلة",
    "quality_rows_read": "الأسطر المقروءة",
    "quality_rows_landed": "الأسطر المحمّلة",
    "quality_rows_quarantined": "الأسطر في الحجر",
    "quality_by_source": "حسب المصدر",
    "quality_last_ingest": "آخر استلام",
    "quality_freshness_hours": "الحداثة (ساعات)",
    "quality_rejected_files": "الملفات المرفوضة ورسائلها",
    "quality_quarantine": "القيم الموضوعة في الحجر",
    "quality_reason_chart": "أسباب الوضع في الحجر (عدد القيم)",
    "quality_reason": "السبب",
    "quality_count": "عدد القيم",
    "quality_source": "المصدر",
    "quality_file": "الملف",
    "quality_row": "السطر",
    "quality_column": "العمود",
    "quality_value": "القيمة المستلمة",
    "quality_status": "الحالة",
    "quality_message": "الرسالة",
    "quality_per_collectivity": "آخر استلام حسب المصدر والجماعة",
    "quality_latest_year": "آخر سنة مالية",
    "quality_all_sources": "كل المصادر",
    "quality_none": "لا توجد قيم في الحجر.",
    "quality_no_rejection": "لا يوجد ملف مرفوض.",
    "denied_no_risk_data": (
        "تم رفض الولوج: فريق البيانات لا يملك صلاحية الاطلاع على بيانات مخاطر الجماعات. "
        "تم تسجيل هذه المحاولة في سجل الولوج."
    ),
    "denied_ministry_only": (
        "تم رفض الولوج: سجل الولوج مخصص للوزارة. تم تسجيل هذه المحاولة في سجل الولوج."
    ),
    "denied_no_role": "تم رفض الولوج: لا يوجد دور في تدقيق مسند لهذا الحساب؛ اتصلوا بمسؤول المنصة.",
    "login_title": "تسجيل الدخول",
    "login_intro": "نقاط المخاطر وملاحظات التدقيق الخاصة بالجماعات سرية: سجلوا الدخول للمتابعة.",
    "login_user": "اسم المستخدم",
    "login_password": "كلمة المرور",
    "login_submit": "دخول",
    "login_failed": "اسم المستخدم أو كلمة المرور غير صحيحة.",
    "login_locked": "محاولات فاشلة كثيرة: هذا الحساب مقفل لمدة {minutes} دقائق.",
    "login_no_accounts": "لا توجد حسابات محلية: شغّلوا `tadqiq accounts` لإنشاء الحسابات التجريبية.",
    "login_oidc": "تسجيل الدخول بهوية الوزارة",
    "logout": "تسجيل الخروج",
    "signed_in_as": "المستخدم: {user} · {role}",
    "scope_ministry": "النطاق: وطني",
    "scope_region": "النطاق: الجهة {area}",
    "scope_collectivity": "النطاق: الجماعة {area} ومقاطعاتها",
    "scope_data_team": "النطاق: الجودة ومسار المعالجة، بدون بيانات المخاطر",
    "role_ministry": "الوزارة",
    "role_region": "الجهة",
    "role_collectivity": "مدقق الجماعة",
    "role_data_team": "فريق البيانات",
    "log_chain_ok": "سلسلة البصمات سليمة: تم التحقق من {count} تسجيل.",
    "log_chain_broken": "سلسلة البصمات منقطعة في السطر {line} ({reason}): تم التلاعب بالسجل.",
    "log_chain_head": "بصمة آخر تسجيل (يُحتفظ بها خارج الخادم): {sha}",
    "log_empty": "سجل الولوج فارغ.",
    "log_all": "الكل",
    "log_filter_user": "المستخدم",
    "log_filter_action": "العملية",
    "log_filter_outcome": "النتيجة",
    "log_filter_code": "رمز الجماعة (البداية)",
    "log_filter_dates": "الفترة (UTC)",
    "log_shown": "عرض {shown} تسجيل من أصل {total}.",
    "log_col_ts": "التوقيت (UTC)",
    "log_col_user": "المستخدم",
    "log_col_role": "الدور",
    "log_col_action": "العملية",
    "log_col_code": "الجماعة",
    "log_col_outcome": "النتيجة",
    "log_col_detail": "التفاصيل",
    "unit_mad": "درهم",
    "unit_points": "نقاط",
    "col_rank_interval": "مجال الترتيب p5–p95",
    "col_unstable": "ترتيب غير مستقر",
    "unstable_yes": "⚠️ غير مستقر",
    "unstable_no": "مستقر",
    "ranking_interval_hint": (
        "يعطي المجال p5–p95 الرتب المحصل عليها في 90 % من محاكاة الأوزان: "
        "الترتيب «غير المستقر» يتأثر بقوة بالأوزان المعتمدة."
    ),
    "rank_interval_title": "مجال الترتيب p5–p95 — الجماعات الـ {count} الأكثر عرضة للمخاطر",
    "axis_rank": "الترتيب الوطني (1 = الأكثر عرضة)",
    "legend_rank": "الترتيب المنشور",
    "legend_interval": "المجال p5–p95",
    "legend_unstable": "ترتيب غير مستقر",
    "residual_risk": "الخطر المتبقي (1–25)",
    "residual_class": "الفئة المتبقية",
    "score_card_title": "بطاقة التنقيط — السنة المالية {year}",
    "score_card_hint": (
        "مساهمة كل مؤشر في المؤشر المركب (بالنقاط من 100)؛ مجموع المساهمات يساوي المؤشر المركب."
    ),
    "score_card_chart_title": "مساهمة المجالات في المؤشر المركب — السنة المالية {year}",
    "axis_contribution": "المساهمة في المؤشر المركب (نقاط من 100)",
    "legend_total": "المؤشر المركب",
    "legend_domain_contribution": "مساهمة مجال",
    "no_score_card": "لا توجد بطاقة تنقيط لهذه السنة المالية.",
    "col_line": "السطر",
    "col_previous_value": "قيمة السنة السابقة",
    "col_weight": "الوزن داخل المجال",
    "col_contribution": "المساهمة (نقاط)",
    "col_change": "التغير منذ السنة السابقة (نقاط)",
    "line_adjustment": "تعديل المجال",
    "register_title": "سجل المخاطر — السنة المالية {year}",
    "register_hint": "المخاطر مرتبة من الأعلى إلى الأدنى (الخطر الكامن L×I).",
    "no_register": "لا يوجد سجل مخاطر لهذه السنة المالية.",
    "register_matrix_title": "سجل المخاطر على المصفوفة 5×5 — السنة المالية {year}",
    "matrix_count": "عدد مخاطر السجل",
    "col_risk": "الخطر",
    "col_process": "المسار",
    "col_findings": "الملاحظات (3 سنوات)",
    "col_control_reduction": "التخفيض بفضل المراقبة الداخلية",
    "domain_heatmaps_title": "مصفوفات 5×5 حسب المجال — السنة المالية {year}",
    "domain_heatmaps_hint": (
        "تحدد كل مصفوفة صغيرة موقع مجال: احتمال المجال (حسب نقطته) × أثر الجماعة. ◯: موقع المجال."
    ),
    "red_flag": "علامة حمراء",
    "insufficient_data": "بيانات غير كافية",
    "downloads_title": "تحميل خريطة المخاطر",
    "downloads_hint": (
        "تُنتج الملفات عند الطلب للجماعة والسنة المالية المختارتين؛ ويُسجل كل تحميل في سجل الولوج."
    ),
    "download_pdf": "PDF ({language})",
    "download_xlsx": "Excel ({language})",
    "download_national": "تحميل الترتيب",
    "report_preparing": "جارٍ إعداد التقارير…",
    "report_ready": "التقارير جاهزة ({seconds} ث)",
    "report_step": "{done} / {total}: {name}",
    "report_title_collectivity": "خريطة المخاطر — {name}",
    "report_subtitle": "{type} · الرمز {code} · {place} · السنة المالية {year}",
    "report_confidential": "توزيع محدود — وثيقة داخلية للمفتشية",
    "report_generated": (
        "صدر بتاريخ {date} من طرف {user} · المستودع {snapshot} · المنهجية {version}"
    ),
    "report_page": "الصفحة {page}",
    "report_summary": "خلاصة",
    "report_heatmap_title": "خريطة المخاطر 5×5 — الاحتمال × الأثر",
    "report_heatmap_note": (
        "تعطي كل خانة عدد مخاطر السجل؛ والخانة المحاطة بدائرة هي الموقع الإجمالي للجماعة: "
        "L = {l} و I = {i}."
    ),
    "report_top_risks": "أهم مخاطر السجل",
    "report_score_card": "بطاقة التنقيط",
    "report_recommendations": "تتبع التوصيات",
    "report_no_recommendation_data": "لا تتوفر بعد في المستودع أي بيانات عن تتبع التوصيات.",
    "report_no_recommendations": "لا توجد توصيات مسجلة لهذه الجماعة.",
    "report_recommendations_total": "{total} توصية، منها {overdue} متأخرة.",
    "report_sources": "المصادر والمنهجية",
    "report_sources_text": (
        "المصادر: معطيات الخزينة العامة للمملكة (تنفيذ الميزانية، الباقي استخلاصه)، مهام "
        "التدقيق وتشخيص المراقبة الداخلية؛ المعطيات المرجعية للمندوبية السامية للتخطيط "
        "(الإحصاء العام 2024، خرائط 2014، CC BY 4.0). المنهجية {version}: مؤشر مركب 0–100، "
        "احتمال حسب شرائح النقطة، أثر حسب الأهمية النسبية، خطر كامن L×I، خطر متبق بعد "
        "المراقبة الداخلية."
    ),
    "report_sheet_register": "سجل المخاطر",
    "report_sheet_heatmap": "خريطة 5x5",
    "report_sheet_score_card": "بطاقة التنقيط",
    "report_sheet_sources": "المصادر",
    "report_sheet_ranking": "الترتيب",
    "report_sheet_regions": "الفئات حسب الجهة",
    "report_field": "العنصر",
    "report_value": "القيمة",
    "report_source": "المصدر",
    "report_national_title": "ترتيب المخاطر — {level}، السنة المالية {year}",
    "report_national_scope": "النطاق: {scope}",
    "report_classes_by_region": "فئات الخطر حسب الجهة",
    "report_ranking_top": "الترتيب (أول {shown} من أصل {total}؛ القائمة الكاملة في ملف Excel)",
    "report_total": "المجموع",
    "batch_prepare": "إعداد مجموعة الخرائط ({count}، PDF)",
    "batch_download": "تحميل المجموعة (ZIP)",
    "col_status": "الوضعية",
    "col_count": "العدد",
    "col_days_open": "الأقدمية الوسيطة (أيام)",
    "status_open": "لم تنطلق",
    "status_in_progress": "في طور الإنجاز",
    "status_implemented": "منفذة (مصرح بها)",
    "status_verified": "متحقق منها",
    "status_refused": "مرفوضة",
    "status_not_applicable": "غير قابلة للتطبيق",
    "status_closed": "مغلقة",
    "status_overdue": "متأخرة",
    "lang_fr": "الفرنسية",
    "lang_ar": "العربية",
    # --- audit programme, recommendations, rollout (issue 6) ---
    "page_programme": "برنامج التدقيق",
    "page_recommendations": "التوصيات",
    "page_rollout": "التعميم",
    "no_audit_data": "لا يتضمن هذا المستودع بعد معطيات برنامج التدقيق وتتبع التوصيات.",
    "as_of": "الوضعية في {date}",
    "filter_all_regions": "كل الجهات",
    "filter_all_collectivities": "كل الجماعات",
    "programme_year": "سنة البرنامج",
    "kpi_missions_planned": "المهام المبرمجة",
    "kpi_missions_done": "المهام المنجزة",
    "kpi_missions_cancelled": "المهام الملغاة",
    "kpi_execution_rate": "نسبة التنفيذ",
    "kpi_auditor_days": "أيام المدققين المستعملة",
    "kpi_auditor_days_help": (
        "أيام المدققين المستعملة فعلا في مهام السنة مقارنة بالأيام المتوقعة "
        "(بما فيها المهام الملغاة)."
    ),
    "kpi_days_used_rate": "من أصل {planned} متوقعة ({rate})",
    "legend_planned": "مبرمجة",
    "legend_done": "منجزة",
    "missions_subtitle": "منجزة: في طور التقرير أو مختتمة؛ المهام الملغاة تبقى محتسبة ضمن المبرمجة",
    "legend_cancelled": "ملغاة",
    "legend_days_planned": "أيام المدققين المتوقعة",
    "legend_days_used": "أيام المدققين المستعملة",
    "axis_missions": "عدد المهام",
    "axis_auditor_days": "أيام المدققين",
    "axis_execution_rate": "نسبة التنفيذ (%)",
    "axis_process_lines": "المهام (جماعة × مسار)",
    "axis_age": "أقدمية التوصية",
    "axis_open_recommendations": "التوصيات المفتوحة",
    "axis_date": "التاريخ",
    "missions_by_year_title": "المهام المبرمجة والمنجزة والملغاة حسب السنة",
    "days_by_year_title": "أيام المدققين المتوقعة والمستعملة حسب السنة",
    "execution_map_title_region": "نسبة تنفيذ برنامج {year} حسب الجهة",
    "execution_map_title_province": "نسبة تنفيذ برنامج {year} حسب الإقليم",
    "execution_map_province_note": (
        "مهام مجالس الجهات لا تتبع أي إقليم: لا تظهر على الخريطة، لكنها محتسبة في المؤشرات والرسوم."
    ),
    "missions_by_region_title": "مهام برنامج {year} حسب الجهة",
    "missions_by_phase_title": "مهام برنامج {year} حسب مرحلة التعميم",
    "col_late": "متأخرة",
    "slipped_title": "المهام المتأخرة — برنامج {year}",
    "slipped_hint": (
        "{count} مهمة انتهت بعد التاريخ المتوقع أو ما زالت مفتوحة بعده "
        "(التأخر: عدد الأيام بعد نهاية المهمة المتوقعة)."
    ),
    "no_slipped": "لا توجد مهام متأخرة في هذه السنة.",
    "no_missions": "لا توجد مهام في هذا النطاق.",
    "col_mission": "المهمة",
    "col_audit_body": "الجهاز",
    "body_audit_interne": "التدقيق الداخلي",
    "col_planned_start": "البداية المتوقعة",
    "col_planned_end": "النهاية المتوقعة",
    "col_actual_start": "البداية الفعلية",
    "col_actual_end": "النهاية الفعلية",
    "col_slippage": "التأخر (أيام)",
    "mission_status_planned": "مبرمجة",
    "mission_status_in_progress": "جارية",
    "mission_status_reporting": "في طور التقرير",
    "mission_status_closed": "مختتمة",
    "mission_status_cancelled": "ملغاة",
    "proposal_title": "البرنامج المقترح لسنة {year}",
    "no_proposal": "لا يوجد برنامج مقترح في هذا النطاق.",
    "kpi_proposed_annual": "مهام الخلايا",
    "kpi_proposed_joint": "التفتيشات المشتركة IGAT/IGF",
    "kpi_proposed_days": "{days} يوم مدقق",
    "kpi_proposed_cycle": "الدورة متعددة السنوات",
    "kpi_cycle_detail": "{missions} مهمة، {collectivities} جماعة",
    "proposal_chart_title": "المهام المقترحة حسب السنة والنوع",
    "programme_kind_annual": "مهمة الخلية (سنوية)",
    "programme_kind_joint": "تفتيش مشترك IGAT/IGF",
    "programme_kind_multi_year": "دورة متعددة السنوات",
    "col_kind": "النوع",
    "col_auditor_days": "أيام المدققين",
    "col_priority": "الأولوية",
    "col_reason": "السبب",
    "reason_top_residual_risk_within_cell_capacity": "خطر متبق مرتفع، في حدود القدرة",
    "reason_skipped_does_not_fit_cell_capacity": "مستبعدة: تتجاوز قدرة الخلية",
    "reason_regional_minimum": "الحد الأدنى الجهوي",
    "reason_national_priority": "أولوية وطنية",
    "reason_skipped_joint_pool_used": "مستبعدة: نفاد غلاف التفتيش المشترك",
    "reason_critical_every_year": "خطر حرج: كل سنة",
    "reason_cycle_coverage": "تغطية الدورة",
    "differences_title": "البرنامج المقترح والبرنامج المعتمد",
    "differences_hint": (
        "مقارنة حسب السنة والجماعة والمسار: مبرمج في الجانبين، مقترح غير معتمد، معتمد دون "
        "اقتراح (باستثناء مهام المجلس الأعلى للحسابات)."
    ),
    "differences_chart_title": "المقترح والمعتمد حسب السنة",
    "no_differences": "لا توجد مقارنة متاحة في هذا النطاق.",
    "difference_both": "مقترح ومعتمد",
    "difference_proposed_not_adopted": "مقترح غير معتمد",
    "difference_adopted_not_proposed": "معتمد غير مقترح",
    "col_difference": "الفرق",
    "col_proposed_kinds": "الاقتراح",
    "col_adopted_missions": "المهام المعتمدة",
    "cell_title": "خلية التدقيق الداخلي",
    "no_cell": "لا توجد خلية تدقيق داخلي في هذا النطاق.",
    "kpi_auditors": "المدققون",
    "kpi_days_per_year": "أيام المدققين في السنة",
    "kpi_programmable_days": "الأيام القابلة للبرمجة",
    "kpi_charter": "ميثاق التدقيق",
    "charter_none": "غير معتمد",
    "own_missions_title": "مهام الجماعة",
    "no_recommendations": "لا توجد توصيات في هذا النطاق.",
    "kpi_implementation_rate": "نسبة التنفيذ",
    "kpi_implementation_rate_help": (
        "التوصيات المنفذة (المصرح بها أو المتحقق منها) من بين التي حل أجلها."
    ),
    "kpi_verified_rate": "نسبة التحقق",
    "kpi_verified_rate_help": "التوصيات التي تحقق مدقق من تنفيذها، من بين التي حل أجلها.",
    "kpi_overdue_rate": "نسبة التأخر",
    "kpi_overdue_rate_help": "التوصيات التي ما زالت مفتوحة بعد أجلها، من بين التي حل أجلها.",
    "kpi_median_days": "المدة الوسيطة للتنفيذ",
    "value_days": "{days} يوما",
    "kpi_repeat_findings": "الملاحظات المتكررة",
    "kpi_repeat_findings_help": (
        "ملاحظات من فئة سبق رصدها في نفس الجماعة خلال السنوات الثلاث السابقة، من مجموع الملاحظات."
    ),
    "kpi_recommendations_base": (
        "{issued} توصية صادرة، منها {due} حل أجلها؛ {declared} مصرح بتنفيذها في انتظار التحقق."
    ),
    "funnel_title": "تقدم تنفيذ التوصيات",
    "funnel_subtitle": "العدد الذي بلغ كل مرحلة على الأقل (المرفوضة وغير القابلة للتطبيق على حدة)",
    "funnel_non_demarree": "صادرة",
    "funnel_en_cours": "انطلقت",
    "funnel_mise_en_oeuvre": "منفذة (مصرح بها)",
    "funnel_verifiee": "متحقق منها",
    "funnel_apart_hint": "خارج المسار: التوصيات المرفوضة أو التي أصبحت غير ذات موضوع.",
    "aging_title": "التوصيات المفتوحة حسب الأقدمية",
    "age_bucket_0_6": "0 إلى 6 أشهر",
    "age_bucket_6_12": "6 إلى 12 شهرا",
    "age_bucket_over_12": "أكثر من 12 شهرا",
    "overdue_title": "التوصيات المتأخرة",
    "overdue_hint": (
        "{count} توصية مفتوحة بعد أجلها، الأكثر تأخرا أولا. اختاروا سطرا لعرض تاريخها."
    ),
    "no_overdue": "لا توجد توصيات متأخرة.",
    "col_recommendation_id": "التوصية",
    "col_recommendation": "نص التوصية",
    "col_owner": "المسؤول (القسم)",
    "col_issued": "تاريخ الإصدار",
    "col_due": "الأجل",
    "col_days_overdue": "أيام التأخر",
    "col_age": "الأقدمية",
    "history_title": "تاريخ توصية",
    "history_hint": "اختاروا توصية لعرض وضعياتها المتتالية.",
    "history_placeholder": "اختيار توصية",
    "history_detail": "المسؤول: {owner} · صدرت في {issued} · الأجل {due} · الوضعية: {status}",
    "history_chart_title": "الوضعيات المتتالية للتوصية",
    "col_from": "من",
    "col_to": "إلى",
    "col_declared_by": "صرح بها",
    "col_evidence": "الإثبات",
    "denied_recommendation_out_of_scope": (
        "تم رفض الولوج: التوصية {code} خارج نطاق صلاحياتكم. تم تسجيل هذه المحاولة في سجل الولوج."
    ),
    "rollout_intro": (
        "تعميم التدقيق الداخلي: المرحلة التجريبية، ثم التوسيع إلى 90 جماعة، ثم التعميم على 160 "
        "جماعة، ثم على كامل التراب الوطني."
    ),
    "no_rollout": "لا توجد جماعات في هذا النطاق.",
    "phase_1": "المرحلة 1 — تجريبية",
    "phase_2": "المرحلة 2 — توسيع (90)",
    "phase_3": "المرحلة 3 — تعميم (160)",
    "phase_national": "التعميم الوطني (لم يتم بعد)",
    "kpi_in_rollout": "الجماعات المنخرطة",
    "kpi_with_cell": "لها خلية تدقيق",
    "kpi_with_charter": "لها ميثاق معتمد",
    "legend_collectivities": "الجماعات",
    "legend_with_cell": "لها خلية",
    "legend_with_charter": "لها ميثاق",
    "kpi_in_rollout_detail": "من أصل {total} جماعة",
    "kpi_repeat_findings_detail": "من أصل {total} ملاحظة ({rate})",
    "rollout_chart_title": "الجماعات والخلايا والمواثيق حسب المرحلة",
    "col_cumulative": "المجموع التراكمي",
    "col_cell_rate": "نسبة التوفر على خلية",
    "rollout_by_region_title": "التعميم حسب الجهة",
    "phase_map_title": "مراحل التعميم — {level}",
}

LABELS: dict[str, dict[str, str]] = {"fr": FR, "ar": AR}


def _no_choice() -> str | None:
    return None


_language_provider: Callable[[], str | None] = _no_choice


def set_language_provider(provider: Callable[[], str | None]) -> None:
    """Tell ``current_lang`` where the user's choice lives (the dashboard's session state)."""
    global _language_provider
    _language_provider = provider


def current_lang() -> str:
    """The user's language (French when there is no choice, or no user: command line, Dagster)."""
    try:
        lang = _language_provider()
    except Exception:  # a provider outside its context (no Streamlit session)
        lang = None
    return lang if lang in LABELS else DEFAULT_LANG


def label(lang: str, key: str, **values: object) -> str:
    """The label ``key`` in ``lang``, outside any session (reports, command line)."""
    return LABELS[lang][key].format(**values)


def t(key: str, **values: object) -> str:
    """The label ``key`` in the current language, with ``{placeholders}`` filled in."""
    return label(current_lang(), key, **values)


def localized(column: str, lang: str | None = None) -> str:
    """The current-language variant of a bilingual column: ``name`` -> ``name_fr``."""
    return f"{column}_{lang or current_lang()}"


def _is_missing(x: object) -> bool:
    return x is None or bool(pd.isna(x))


# The thousands separator is a narrow no-break space (U+202F), as in French typography: a
# number never breaks across lines, and in Arabic text the bidirectional algorithm keeps
# "4 222 030" in one piece (a plain space would let it come out as "030 222 4").
THOUSANDS = "\u202f"


def fmt_number(x: float | None, decimals: int = 0) -> str:
    """Format as in Morocco: space thousands separator, comma decimal (``1 234 567,8``)."""
    if _is_missing(x):
        return MISSING
    rounded = round(float(x), decimals) + 0.0  # "+ 0.0" turns -0.0 into 0.0
    return f"{rounded:,.{decimals}f}".replace(",", THOUSANDS).replace(".", ",")


def fmt_signed(x: float | None, decimals: int = 1) -> str:
    """A change with its sign: ``+1,5``, ``-0,3``, ``0,0``."""
    if _is_missing(x):
        return MISSING
    text = fmt_number(x, decimals)
    return text if text.startswith("-") or text.strip("0,") == "" else f"+{text}"


def fmt_pct(x: float | None, decimals: int = 1) -> str:
    """Format a fraction as a percentage (``0.253`` -> ``25,3 %``)."""
    return MISSING if _is_missing(x) else f"{fmt_number(float(x) * 100, decimals)} %"


def fmt_date(day: date | datetime | None) -> str:
    """A date as in Morocco: ``dd/mm/yyyy``."""
    return MISSING if day is None else day.strftime("%d/%m/%Y")


def fmt_value(x: float | None, unit: str, lang: str | None = None) -> str:
    """Format an indicator value according to its unit."""
    lang = lang or current_lang()
    if _is_missing(x):
        return MISSING
    if unit == "ratio":
        return fmt_pct(x)
    if unit == "years":
        return f"{fmt_number(x, 1)} {label(lang, 'unit_years')}"
    if unit == "mad":
        return f"{fmt_number(x, 0)} {label(lang, 'unit_mad')}"
    if unit == "count":
        return fmt_number(x, 0)
    if unit == "score":
        return fmt_number(x, 1)
    return fmt_number(x, 2)


CLASS_MARKERS: dict[str, str] = {"low": "🟢", "moderate": "🟡", "high": "🟠", "critical": "🔴"}
BAND_MARKERS: dict[str, str] = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def level_label(level: str, lang: str | None = None) -> str:
    return label(lang or current_lang(), f"level_{level}")


def type_label(collectivity_type: str, lang: str | None = None) -> str:
    return label(lang or current_lang(), f"type_{collectivity_type}")


def class_label(risk_class: str | None, lang: str | None = None, marker: bool = True) -> str:
    """Localized risk class with its coloured marker, e.g. ``🔴 Critique``."""
    if _is_missing(risk_class):
        return MISSING
    text = label(lang or current_lang(), f"class_{risk_class}")
    return f"{CLASS_MARKERS[risk_class]} {text}" if marker else text


def band_label(band: str | None, lang: str | None = None, marker: bool = True) -> str:
    """Localized indicator band with its coloured marker, e.g. ``🟠 Orange``."""
    lang = lang or current_lang()
    if _is_missing(band):
        text = label(lang, "band_none")
        return f"⚪ {text}" if marker else text
    text = label(lang, f"band_{band}")
    return f"{BAND_MARKERS[band]} {text}" if marker else text


def status_label(status: str | None, lang: str | None = None) -> str:
    """A recommendation status in the language, or the warehouse's own word if unknown."""
    if _is_missing(status):
        return MISSING
    key = f"status_{status}"
    return label(lang or current_lang(), key) if key in FR else str(status)
