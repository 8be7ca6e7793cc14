"""Labels (French / Arabic) and Moroccan number formatting for the dashboard."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

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
}

LABELS: dict[str, dict[str, str]] = {"fr": FR, "ar": AR}


def current_lang() -> str:
    """The language chosen in the sidebar (French until the switch is rendered)."""
    try:
        lang = st.session_state.get("lang", DEFAULT_LANG)
    except Exception:  # no Streamlit session (command line, Dagster)
        lang = DEFAULT_LANG
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
