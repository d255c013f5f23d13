"""The words reportkit itself writes into a report, in the report's language.

Headings of generated parts (annexes, acronyms, key messages), the imprint's labels,
cross-reference words ("Figure 3"), callout titles, the contents title, the draft mark:
a small built-in table for English, French, Turkish and Arabic. A project adds a language
or changes a word in `translations/<language>.yml` under `labels:`; a language neither
knows falls back to English word by word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reportkit.errors import ReportError, did_you_mean
from reportkit.yamlio import load_yaml

TRANSLATIONS_DIR = "translations"

BUILTIN: dict[str, dict[str, str]] = {
    "en": {
        "language-name": "English",
        "contents": "Contents",
        "skip-link": "Skip to the report",
        "imprint": "Imprint",
        "editions": "This report in other languages",
        "figure": "Figure",
        "table": "Table",
        "section": "Section",
        "callout-note": "Note",
        "callout-tip": "Tip",
        "callout-warning": "Warning",
        "callout-important": "Important",
        "callout-caution": "Caution",
        "key-messages": "Key messages",
        "acronyms": "Acronyms",
        "annex-programme": "Annex 1: Conference programme",
        "programme-caption": "The sessions of the conference in the order of this report",
        "annex-speakers": "Annex 2: Speakers by organisation",
        "column-when": "When",
        "column-session": "Session",
        "column-kind": "Kind",
        "column-moderator": "Moderator",
        "column-speakers": "Speakers and panellists",
        "day": "Day {n}",
        "kind-opening": "Opening",
        "kind-keynote": "Keynote",
        "kind-national-experience": "National experience",
        "kind-panel": "Panel",
        "kind-closing": "Closing",
        "role-moderator": "Moderator",
        "role-panellist": "Panellist",
        "role-panellists": "Panellists",
        "role-speaker": "Speaker",
        "role-speakers": "Speakers",
        "independent": "Independent",
        "phone": "Tel.:",
        "fax": "Fax:",
        "email": "Email:",
        "website": "Website:",
        "publisher": "Publisher:",
        "project": "Project:",
        "organised-by": "Organised by:",
        "funded-by": "Funded by:",
        "cover-credit": "Cover:",
        "photo-credit": "Photograph:",
        "citation": "Suggested citation:",
        "and": "and",
        "source": "Source:",
        "download-data": "Download data (CSV)",
        "draft": "Draft — {date}",
        "untranslated": "Not yet translated: shown in the source language",
    },
    "fr": {
        "language-name": "Français",
        "contents": "Table des matières",
        "skip-link": "Aller au rapport",
        "imprint": "Mentions légales",
        "editions": "Ce rapport dans d’autres langues",
        "figure": "Figure",
        "table": "Tableau",
        "section": "Section",
        "callout-note": "Remarque",
        "callout-tip": "Conseil",
        "callout-warning": "Avertissement",
        "callout-important": "Important",
        "callout-caution": "Attention",
        "key-messages": "Messages clés",
        "acronyms": "Sigles et acronymes",
        "annex-programme": "Annexe 1 : Programme de la conférence",
        "programme-caption": "Les séances de la conférence dans l’ordre de ce rapport",
        "annex-speakers": "Annexe 2 : Intervenants par organisation",
        "column-when": "Quand",
        "column-session": "Séance",
        "column-kind": "Type",
        "column-moderator": "Modération",
        "column-speakers": "Intervenants et panélistes",
        "day": "Jour {n}",
        "kind-opening": "Ouverture",
        "kind-keynote": "Conférence inaugurale",
        "kind-national-experience": "Expérience nationale",
        "kind-panel": "Table ronde",
        "kind-closing": "Clôture",
        "role-moderator": "Modération",
        "role-panellist": "Panéliste",
        "role-panellists": "Panélistes",
        "role-speaker": "Intervenant",
        "role-speakers": "Intervenants",
        "independent": "Sans affiliation",
        "phone": "Tél. :",
        "fax": "Télécopie :",
        "email": "Courriel :",
        "website": "Site web :",
        "publisher": "Éditeur :",
        "project": "Projet :",
        "organised-by": "Organisé par :",
        "funded-by": "Financé par :",
        "cover-credit": "Couverture :",
        "photo-credit": "Photographie :",
        "citation": "Citation suggérée :",
        "and": "et",
        "source": "Source :",
        "download-data": "Télécharger les données (CSV)",
        "draft": "Brouillon — {date}",
        "untranslated": "Pas encore traduit : texte dans la langue source",
    },
    "tr": {
        "language-name": "Türkçe",
        "contents": "İçindekiler",
        "skip-link": "Rapora geç",
        "imprint": "Künye",
        "editions": "Bu raporun diğer dillerdeki sürümleri",
        "figure": "Şekil",
        "table": "Tablo",
        "section": "Bölüm",
        "callout-note": "Not",
        "callout-tip": "İpucu",
        "callout-warning": "Uyarı",
        "callout-important": "Önemli",
        "callout-caution": "Dikkat",
        "key-messages": "Temel mesajlar",
        "acronyms": "Kısaltmalar",
        "annex-programme": "Ek 1: Konferans programı",
        "programme-caption": "Konferansın oturumları, bu rapordaki sıralarıyla",
        "annex-speakers": "Ek 2: Kurumlarına göre konuşmacılar",
        "column-when": "Zaman",
        "column-session": "Oturum",
        "column-kind": "Tür",
        "column-moderator": "Moderatör",
        "column-speakers": "Konuşmacılar ve panelistler",
        "day": "{n}. gün",
        "kind-opening": "Açılış",
        "kind-keynote": "Ana konuşma",
        "kind-national-experience": "Ulusal deneyim",
        "kind-panel": "Panel",
        "kind-closing": "Kapanış",
        "role-moderator": "Moderatör",
        "role-panellist": "Panelist",
        "role-panellists": "Panelistler",
        "role-speaker": "Konuşmacı",
        "role-speakers": "Konuşmacılar",
        "independent": "Bağımsız",
        "phone": "Tel.:",
        "fax": "Faks:",
        "email": "E-posta:",
        "website": "İnternet sitesi:",
        "publisher": "Yayımlayan:",
        "project": "Proje:",
        "organised-by": "Düzenleyen:",
        "funded-by": "Finansman:",
        "cover-credit": "Kapak:",
        "photo-credit": "Fotoğraf:",
        "citation": "Önerilen kaynak gösterimi:",
        "and": "ve",
        "source": "Kaynak:",
        "download-data": "Verileri indir (CSV)",
        "draft": "Taslak — {date}",
        "untranslated": "Henüz çevrilmedi: metin kaynak dilde",
    },
    "ar": {
        "language-name": "العربية",
        "contents": "المحتويات",
        "skip-link": "انتقل إلى التقرير",
        "imprint": "بيانات النشر",
        "editions": "هذا التقرير بلغات أخرى",
        "figure": "الشكل",
        "table": "الجدول",
        "section": "القسم",
        "callout-note": "ملاحظة",
        "callout-tip": "نصيحة",
        "callout-warning": "تحذير",
        "callout-important": "هام",
        "callout-caution": "تنبيه",
        "key-messages": "الرسائل الرئيسية",
        "acronyms": "المختصرات",
        "annex-programme": "الملحق 1: برنامج المؤتمر",
        "programme-caption": "جلسات المؤتمر بترتيب ورودها في هذا التقرير",
        "annex-speakers": "الملحق 2: المتحدثون حسب الجهة",
        "column-when": "الموعد",
        "column-session": "الجلسة",
        "column-kind": "النوع",
        "column-moderator": "مدير الجلسة",
        "column-speakers": "المتحدثون وأعضاء الحلقة",
        "day": "اليوم {n}",
        "kind-opening": "الافتتاح",
        "kind-keynote": "الكلمة الرئيسية",
        "kind-national-experience": "تجربة وطنية",
        "kind-panel": "حلقة نقاش",
        "kind-closing": "الختام",
        "role-moderator": "مدير الجلسة",
        "role-panellist": "عضو الحلقة",
        "role-panellists": "أعضاء الحلقة",
        "role-speaker": "المتحدث",
        "role-speakers": "المتحدثون",
        "independent": "بصفة مستقلة",
        "phone": "الهاتف:",
        "fax": "الفاكس:",
        "email": "البريد الإلكتروني:",
        "website": "الموقع الإلكتروني:",
        "publisher": "الناشر:",
        "project": "المشروع:",
        "organised-by": "تنظيم:",
        "funded-by": "بتمويل من:",
        "cover-credit": "الغلاف:",
        "photo-credit": "الصورة:",
        "citation": "الاقتباس المقترح:",
        "and": "و",
        "source": "المصدر:",
        "download-data": "تنزيل البيانات (CSV)",
        "draft": "مسودة — {date}",
        "untranslated": "لم يُترجم بعد: النص بلغة المصدر",
    },
}
LABEL_KEYS = tuple(BUILTIN["en"])
# Languages written right to left (by primary subtag).
RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "sd", "yi", "dv", "ckb"}
# Font families (fontpkg packages) that carry a script the brand fonts do not: added after
# the brand's own families, so Latin stays in the brand and the script in its font.
SCRIPT_FONTS = {"ar": "Amiri", "fa": "Amiri", "ur": "Amiri"}


def primary(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def text_direction(language: str) -> str:
    return "rtl" if primary(language) in RTL_LANGUAGES else "ltr"


def script_font(language: str) -> str | None:
    return SCRIPT_FONTS.get(primary(language))


@dataclass(frozen=True)
class Labels:
    """The report's own words in one language: labels("figure") → "Şekil"."""

    language: str
    words: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        text = self.words.get(key, BUILTIN["en"][key])
        return text.format(**values) if values else text

    @property
    def direction(self) -> str:
        return text_direction(self.language)


def labels_for(language: str, overrides: Mapping[str, str] | None = None) -> Labels:
    """The built-in words for language (by its primary subtag), the project's over them."""
    words = dict(BUILTIN["en"])
    words.update(BUILTIN.get(primary(language), {}))
    words.update(overrides or {})
    return Labels(language, words)


def translations_file(root: Path, language: str) -> Path | None:
    """translations/<tag>.yml, or translations/<primary subtag>.yml, if the project has one."""
    for name in dict.fromkeys((language, primary(language))):
        path = root / TRANSLATIONS_DIR / f"{name}.yml"
        if path.is_file():
            return path
    return None


def project_labels(root: Path, language: str) -> Labels:
    """The words for language with the project's `labels:` (translations/<language>.yml)."""
    path = translations_file(root, language)
    if path is None:
        return labels_for(language)
    display = path.relative_to(root).as_posix()
    doc = load_yaml(path, display)
    data = doc.data or {}
    labels = data.get("labels") if isinstance(data, dict) else None
    if labels is None:
        return labels_for(language)
    if not isinstance(labels, dict):
        raise doc.error(("labels",), "'labels' must be a mapping of word: translation")
    for key, value in labels.items():
        if key not in BUILTIN["en"]:
            hint = did_you_mean(str(key), LABEL_KEYS) or f"known: {', '.join(LABEL_KEYS)}"
            raise doc.error(("labels", key), f"unknown label '{key}'", hint)
        if not isinstance(value, str) or not value.strip():
            raise doc.error(("labels", key), f"label '{key}' must be a non-empty text")
    try:
        return labels_for(language, labels)
    except (KeyError, IndexError) as error:  # a "{n}" placeholder misspelt
        raise ReportError(f"{display}: a label has an unknown placeholder {error}") from None
