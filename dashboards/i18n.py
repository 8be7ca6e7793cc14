"""Labels (French / Arabic) and Moroccan number formatting for the dashboard."""

from __future__ import annotations

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
}

LABELS: dict[str, dict[str, str]] = {"fr": FR, "ar": AR}


def current_lang() -> str:
    """The language chosen in the sidebar (French until the switch is rendered)."""
    lang = st.session_state.get("lang", DEFAULT_LANG)
    return lang if lang in LABELS else DEFAULT_LANG


def t(key: str, **values: object) -> str:
    """The label ``key`` in the current language, with ``{placeholders}`` filled in."""
    return LABELS[current_lang()][key].format(**values)


def localized(column: str) -> str:
    """The current-language variant of a bilingual column: ``name`` -> ``name_fr``."""
    return f"{column}_{current_lang()}"


def _is_missing(x: object) -> bool:
    return x is None or bool(pd.isna(x))


def fmt_number(x: float | None, decimals: int = 0) -> str:
    """Format as in Morocco: space thousands separator, comma decimal (``1 234 567,8``)."""
    if _is_missing(x):
        return MISSING
    rounded = round(float(x), decimals) + 0.0  # "+ 0.0" turns -0.0 into 0.0
    return f"{rounded:,.{decimals}f}".replace(",", " ").replace(".", ",")


def fmt_pct(x: float | None, decimals: int = 1) -> str:
    """Format a fraction as a percentage (``0.253`` -> ``25,3 %``)."""
    return MISSING if _is_missing(x) else f"{fmt_number(float(x) * 100, decimals)} %"


def fmt_value(x: float | None, unit: str) -> str:
    """Format an indicator value according to its unit."""
    if unit == "ratio":
        return fmt_pct(x)
    if unit == "years":
        return MISSING if _is_missing(x) else f"{fmt_number(x, 1)} {t('unit_years')}"
    return fmt_number(x, 2)


CLASS_MARKERS: dict[str, str] = {"low": "🟢", "moderate": "🟡", "high": "🟠", "critical": "🔴"}
BAND_MARKERS: dict[str, str] = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def level_label(level: str) -> str:
    return t(f"level_{level}")


def type_label(collectivity_type: str) -> str:
    return t(f"type_{collectivity_type}")


def class_label(risk_class: str | None) -> str:
    """Localized risk class with its coloured marker, e.g. ``🔴 Critique``."""
    if _is_missing(risk_class):
        return MISSING
    return f"{CLASS_MARKERS[risk_class]} {t(f'class_{risk_class}')}"


def band_label(band: str | None) -> str:
    """Localized indicator band with its coloured marker, e.g. ``🟠 Orange``."""
    if _is_missing(band):
        return f"⚪ {t('band_none')}"
    return f"{BAND_MARKERS[band]} {t(f'band_{band}')}"
