"""Hospital, clinic and other care-organisation names (kind HOSPITAL, as i2b2 maps ORGANIZATION).

Capitalised words before a facility word ("Harrow Bend Hospital", "HARROW BEND EMERGENCY DEPT",
"St. Mary's Medical Center") or after "Hospital of"; practices and practice groups ("Fenmore
Pediatric Group", "Quarry Hill Surgery", "Tallis Heart Partners"), NHS trusts, labs and imaging
centres, DME and home-health suppliers ("Brightline Medical Supply", "Orchard Home Care"), care
homes; pharmacies and stores by chain name, also lower case and with a store number ("walgreens
#01234", "rite aid store 5521", "Corner Drug Pharmacy #12").
"""

from __future__ import annotations

import re

from medllm.core import Span
from medllm.privacy.recognizers.base import LO, UP, Pattern, PatternRecognizer, rx
from medllm.privacy.recognizers.profession import JOB_WORD

_FACILITY = (
    r"Hospital|Medical\s+Center|Medical\s+Centre|Health\s+Center|Health\s+Centre|Clinic|Health\s+System"
    r"|Healthcare|Health\s+Care|Infirmary|Memorial|Rehabilitation\s+(?:Center|Hospital)|Nursing\s+Home"
    r"|Medical\s+Group|Cancer\s+Center|Care\s+Center|Surgical\s+Center|Surgery\s+Center|Hospice"
    r"|Urgent\s+Care|Health|Physicians|Associates|Family\s+Practice|Pediatrics|Institute"
    r"|Hosp\b\.?|VAMC|Pavilion|Campus"
)
_UPPER_FACILITY = (
    r"HOSPITAL|MEDICAL\s+CENTER|HEALTH\s+CENTER|CLINIC|INFIRMARY|MEMORIAL|EMERGENCY\s+(?:DEPT|DEPARTMENT|ROOM)"
    r"|URGENT\s+CARE|HEALTH\s+SYSTEM"
)
_NOT_NAME = (
    r"(?!(?:The|THE|A|An|Emergency|EMERGENCY|General|GENERAL|Our|OUR|This|THIS|Your|YOUR)\b)"
)
# a capitalised word, also hyphenated or accented ("Saint-Ambroise", "Kōwhai", "Tri-County")
_CAP = rf"(?:Mc|Mac|O')?[{UP}][{LO}]+(?:-[{UP}][{LO}]+)*"
_TITLE_WORDS = r"(?:" + _NOT_NAME + r"(?:St\.|Saint|" + _CAP + r"(?:'s)?|[A-Z]\.)[ \t]+){1,4}"
# "Our Lady of the Lakes Hospital", "Sisters of Charity Hospital": the connectors inside a name
_DEDICATED = (
    r"(?:Our[ \t]+Lady|Sisters?|Holy|Sacred)(?:[ \t]+(?:of|the|and|" + _CAP + r")){1,4}[ \t]+"
)
_UPPER_WORDS = r"(?:" + _NOT_NAME + r"(?:ST\.?|[A-Z]{2,}(?:'S)?)[ \t]+){1,4}"


# Suffixes that make a practice, supplier or other organisation of the capitalised words before.
_ORG = (
    r"(?:Pediatric|Paediatric|Family|Primary|Specialty|Medical|Heart|Cardiology|Orthop(?:a)?edic|"
    r"Dermatology|Oncology|Women's|Eye|Dental|Imaging|Radiology|Diagnostic|Home|Senior|Surgical|"
    r"Kidney|Dialysis|Sleep|Vascular|Spine|Pain|Wellness|Behavioral|Mental|Respiratory|DME)?[ \t]*"
    r"(?:Group|Partners|Associates|Practice|Surgery|Diagnostics|Imaging|Lab|Labs|Laboratory"
    r"|Laboratories|Supply|Supplies|Solutions|Services|Direct|Home[ \t]+Care|Home[ \t]+Health"
    r"|Homecare|Care(?:[ \t]+(?:Home|at[ \t]+Home))?|Rehabilitation(?:[ \t]+Unit)?|Rehab|Assisted[ \t]+Living|Senior[ \t]+Living"
    r"|Nursing[ \t]+(?:Home|Center|Facility)|Pharmacy|Pharmacies|Drugs?|Apothecary|Chemist"
    r"|(?:NHS[ \t]+)?(?:Foundation[ \t]+)?Trust|Health[ \t]+Board|Dialysis|Hospice|Centre|Center"
    r"|Food[ \t]+(?:Bank|Pantry)|Ambulance|Shelter|House|Mission|Millwork|Transport"
    r"|Internal[ \t]+Medicine|Family[ \t]+Medicine"
    # employers, churches, schools, insurers, agencies, suppliers, transport (i2b2 ORGANIZATION)
    r"|Church|Chapel|Temple|Synagogue|Mosque|Parish|Ministries|School|Elementary|Academy|College"
    r"|Company|Co-op|Co|Cooperative|Inc|LLC|Ltd|Corp|Assurance|Insurance|Mutual"
    r"|Interpreting|Interpreters|Rentals|Equipment|Transit|Logistics|Nurses|Commons|Manor|Lodge"
    r"|Agency[ \t]+on[ \t]+Aging|Agency|Foundation|Society|Association|Cab|Roofing|Trucking|Construction|Mart"
    # insurers and plans, public services, clubs and trades (dev_d, 2026-12-03)
    r"|HMO|PPO|PDP|EPO|Benefits|Advantage|Savings|Bank|Credit[ \t]+Union|Bureau|Council|Authority"
    r"|(?:Police|Fire)[ \t]+(?:Department|Dept|Service|Station)|Police|Department|Squad|Rescue|Service"
    r"|District|HSCP|ADRC|Team|Line|Carers|Cymru|Genetics|Endocrine|Diabetes|Physiotherapy|Therapy"
    r"|Dental|Nursing|Rx|Studio|Sons|Brothers|Scaffolding|Motors|Garage|Farms?|Ranch|Hotel|Inn"
    r"|Tavern|Grill|Diner|Bakery|Smokehouse|Presbyterian|Baptist|Methodist|Lutheran|Episcopal"
    # dev_e (2026-12-07)
    r"|Freight|Towing|Schools|High|Primary|EMS|PD|LLP|Shipbuilders|Coffee|Mine|Club|Medical"
    r"|Campus|Pavilion|SNF|TCU|CLC|VAMC|Ward|Support|Network|Counseling|Counselling|Division"
    r"|Charities|Optometrists|Doctors|MRI|Village|Stepdown|Provincial|Gutters|Softech"
    # dev_f (2026-12-07)
    r"|Aggregates|Meats|Packhouse|Tooling|Works|Coalition|Electricity|Ski[ \t]+Area"
    r"|Step-Down|Rheumatology|Urology|Neurology|Endocrinology"
    # dev_h (2026-12-07)
    r"|OB/GYN|DMV|Mobility(?:,[ \t]+(?:LLC|Inc\.?))?|Spine|Samaritan)"
    # "Catholic Charities of Newark", "Alzheimer Resource Centre of New Westminster"
    rf"(?:[ \t]+of[ \t]+(?:the[ \t]+)?[{UP}][{LO}]+(?:[ \t][{UP}][{LO}]+)?)?"
)
# French names as Quebec and New Brunswick letters write them: "Clinique Médicale du Fleuve"
_FR_JOIN = r"(?:[ ](?:de|du|des|la|le|et))*[ ](?:l['’]|d['’])?"
_FRENCH = (
    r"(?:Clinique|Centre|H[ôo]pital|CLSC|Polyclinique|Pharmacie|CHSLD|GMF|Institut)"
    # lower-case words inside ("Institut de cardiologie du Mont-Royal"), ending in a name
    r"(?:" + _FR_JOIN + r"(?:" + _CAP + r"|[a-zàâçéèêëîïôûù]{4,})){0,3}" + _FR_JOIN + _CAP
)
_SPANISH = (
    r"(?:Farmacias?|Cl[ií]nica|Sanatorio|Centro[ \t]+(?:M[ée]dico|de[ \t]+Salud))"
    r"(?:[ \t]+(?:de|del|la|las|los|y))*(?:[ \t]+" + _CAP + r"){1,3}"
)
# "FirstHealth of the Carolinas": not Mc/Mac/De/La… names, not "MyChart"
_CAMEL_ORG = (
    r"(?!(?:Mc|Mac|De|Di|Da|La|Le|Van|Von|Du|My|Ja|Ke|Ty|Sha)[A-Z])[A-Z][a-z]+[A-Z][a-z]{2,}"
    r"(?:[ \t]+(?:of[ \t]+(?:the[ \t]+)?)?[A-Z][a-z]+){1,3}"
)
_ORG_WORDS = (
    r"(?:"
    + _NOT_NAME
    + r"(?:St\.|Saint|"
    + _CAP
    + r"(?:[A-Z][a-z]+)?(?:'s)?|Mt\.|[A-Z][a-z]+-[a-z]+|[A-Z]{2,6}|&|of(?=[ \t]+(?:the[ \t]+)?[A-Z])"
    + r"|the(?=[ \t]+[A-Z]))[ \t]+){1,6}"
)
# Capitalised words of an employer's name, up to six ("Bexley & Rourke LLP", "St Thomas' C of E
# Primary School"), ending in a capitalised word or a store number.
_ORG_WORDS_CAP = (
    rf"(?:St\.?[ \t]+)?[{UP}][\w'’\-]*(?:(?:[ \t]+(?:&|of|and|on|the))?"
    rf"[ \t]+(?:[{UP}][\w'’\-]*|\#[ \t]?\d{{1,6}})){{0,5}}(?![\w'’])"
)
_CHAINS = (
    r"walgreens|cvs|rite[ \t]+aid|walmart|wal-mart|kroger|safeway|costco|publix|giant[ \t]+eagle"
    r"|meijer|h-e-b|heb|wegmans|sam'?s[ \t]+club|albertsons|hy-vee|duane[ \t]+reade|bartell"
    r"|superdrug|shoppers[ \t]+drug[ \t]+mart|rexall|london[ \t]+drugs|jean[ \t]+coutu"
    r"|pharmasave|express[ \t]+scripts|optum[ \t]*rx|caremark|amazon[ \t]+pharmacy|winn-dixie"
    r"|harris[ \t]+teeter|fred[ \t]+meyer|king[ \t]+soopers"
)
# Chain names that are also ordinary words: only with "pharmacy" / "store" or a store number.
_CHAINS_WORDS = (
    r"target|giant|acme|vons|ralphs|smith's|boots|lloyds|food[ \t]+lion|stop[ \t]+&[ \t]+shop"
)
_CHAIN_SUFFIX = r"(?:(?:[ \t]+|/)(?i:pharmacy|drugs?|drug[ \t]+store|store|supercenter|market))"
_STORE_NO = r"(?:[ \t]*(?:\#|(?i:store|no\.?|number)[ \t]*\#?)?[ \t]*(?:[A-Z]-?)?\d{1,6}\b)"
# Words that name a specialty or service, not an organisation: "Orthopedic Surgery", "Home Care".
_SERVICE_WORDS_TEXT = (
    "orthopedic orthopaedic cardiac cardiology general plastic vascular thoracic pediatric paediatric"
    " internal family physical occupational speech respiratory home primary medical surgical"
    " discharge urgent emergency critical intensive palliative acute chronic community social"
    " mental behavioral behavioural health care services group partners associates practice surgery"
    " lab labs laboratory imaging radiology diagnostic diagnostics supply supplies solutions direct"
    " rehabilitation rehab nursing pharmacy center centre dme assisted living senior hospice trust"
    " foundation nhs the a an our your this and & of for with dental eye women's kidney dialysis"
    " sleep spine pain wellness day inpatient outpatient specialty neuro neurology oncology"
    " dermatology gi endoscopy wound infusion transplant cancer blood bank"
    " hmo ppo pdp epo benefits advantage savings credit union bureau council authority police fire"
    " department dept service squad rescue district team line carers genetics endocrine diabetes"
    " physiotherapy therapy physio sports speech language occupational dental nursing rx studio"
    " sons brothers motors garage farm farms hotel inn medicare medicaid plan policy of"
)
_SERVICE_WORDS = frozenset(_SERVICE_WORDS_TEXT.split())


# "Cook Inlet Native Medical Center (CINMC)": the short form a note then uses alone
_SHORT_AFTER = re.compile(r"[ \t]*\((?P<a>[A-Z][A-Z&]{1,6})\)")


def _named_org(s: str) -> bool:
    """Some word of the span is a name, not a service word ("Laurel Ridge Primary Care")."""
    words = [w.strip(".,").lower() for w in s.split()]
    return len(words) >= 2 and any(w not in _SERVICE_WORDS and not w.isdigit() for w in words)


class HospitalRecognizer(PatternRecognizer):
    name = "hospital"
    kinds = ("HOSPITAL",)
    patterns = (
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<![\w])(?P<phi>"
                + _TITLE_WORDS
                + r"(?:General[ \t]+|Community[ \t]+|Regional[ \t]+|University[ \t]+|Children's[ \t]+|County[ \t]+|Memorial[ \t]+)*(?:"
                + _FACILITY
                + r"))\b"
            ),
            0.8,
        ),
        Pattern(
            "HOSPITAL",
            rx(r"(?<![\w])(?P<phi>" + _DEDICATED + r"(?:" + _FACILITY + r"))\b"),
            0.8,
        ),
        Pattern("HOSPITAL", rx(r"(?<![\w])" + _FRENCH + r"(?![\w])"), 0.75),
        # dev_h (2026-12-07): Spanish names ("Farmacias Similares", "Clínica San Rafael"), a
        # hospital "at" its place ("Doctors Hospital at Renaissance"), and a name written in
        # CamelCase with more words ("PeaceHealth Sacred Heart", "ServiceLink of Belknap County")
        Pattern("HOSPITAL", rx(r"(?<![\w])" + _SPANISH + r"(?![\w])"), 0.7),
        Pattern(
            "HOSPITAL",
            rx(r"(?<![\w])" + _TITLE_WORDS + r"Hospital[ \t]+at[ \t]+" + _CAP + r"(?![\w])"),
            0.75,
        ),
        Pattern("HOSPITAL", rx(r"(?<![\w'])" + _CAMEL_ORG + r"(?![\w])"), 0.65),
        # "Calder Vale General", "Alder Bay Regional", "East Tennessee Children's": a hospital
        # called by its name and kind alone, not "General Surgery" or "Regional anesthesia"
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<![\w])(?P<phi>(?:" + _NOT_NAME + _CAP + r"[ \t]+){1,3}(?:General|Regional"
                r"|Children's|Memorial|Provincial|Gen\b))"
                r"(?![ \t]+(?!(?:and|or|in|on|at|for|to|is|was|has|had|with|where|who|ED|ER)\b)[a-z])"
                r"(?![ \t]+(?:Surgery|Medicine|Practi|Anesth|Anaesth"
                r"|P(?:a)?ediatric|Internal|Hospital|Medical|Health|Clinic|Day))"
            ),
            0.7,
        ),
        # "Seen at Cibola West ED": a name before ED / ER / A&E after a place word
        Pattern(
            "HOSPITAL",
            rx(
                r"(?:(?i:\b(?:at|to|from|in|via)[ \t]+)|\|[ \t]*)(?P<phi>(?:"
                + _NOT_NAME
                + _CAP
                + r"[ \t]+){1,3}(?:ED|ER|A&E))\b"
            ),
            0.7,
        ),
        # An acronym of a hospital after a preposition: "seen at KVMC", "in the RAH", "CUH"
        Pattern(
            "HOSPITAL",
            rx(
                r"(?i:\b(?:at|in|to|from|the|via|or)[ \t]+)"
                r"(?!(?:LDH|TSH|FSH|ACTH|PTH|ADH|HGH|MCH|MCHC|PMH|NHS|DASH|BPH|DVH|RVH|LVH|IDH|AKH)\b)"
                r"(?P<phi>[A-Z]{1,4}(?:H|MC|HC|GH|UH|HS|WI|RI))\b(?![\-/])"
                r"|\bVAMC\b"
            ),
            0.7,
        ),
        # A ward named after a place or a plant: "Lomond Ward", "Foxglove Ward (Level 2)"; a ward
        # or unit by its number: "Ward 2A", "4 West", "Med-Surg 3 East", "5 North Cardiac"
        Pattern("HOSPITAL", rx(rf"(?<![\w])[{UP}][{LO}]+[ \t]+Ward\b"), 0.7),
        Pattern("HOSPITAL", rx(r"(?<![\w])Ward[ \t]+\d{1,2}[A-Z]?\b(?![ \t]*(?:of|to|\d))"), 0.7),
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<=[\-,:][ ])(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?[ \t])?\d{1,2}[ \t]?"
                r"(?:North|South|East|West)\b(?:[ \t][A-Z][a-z]+(?:-[A-Z][a-z]+)?){0,2}"
            ),
            0.7,
        ),
        # A health board: "NHS Strathallan"
        Pattern(
            "HOSPITAL",
            rx(
                r"\bNHS[ \t]+(?!(?:Number|No|Direct|App|Login|Digital|Choices|Trust|Foundation)\b)"
                rf"[{UP}][{LO}]+(?:[ \t]+[{UP}][{LO}]+)?"
            ),
            0.7,
        ),
        # A parish or school named for a saint: "St. Adalbert's parish", "at St Peter's, Horbury"
        Pattern(
            "HOSPITAL",
            rx(
                rf"(?<![\w])(?:St\.?|Saint)[ \t]+[{UP}][{LO}]+(?:'s)?"
                r"(?=[ \t]+(?i:parish|church|chapel|school|primary|cathedral|abbey)\b|,[ \t]+[A-Z])"
            ),
            0.7,
        ),
        # An employer after a job or a work verb: "barista at Little Fern Coffee", "works for
        # Maple Leaf Freight", "employed by Harbourside Scaffolding", "CPA at Bexley & Rourke LLP"
        Pattern(
            "HOSPITAL",
            rx(
                r"(?:(?i:\b(?:works?|worked|working|employed|employee|volunteers?|teaches|studies)\b"
                r"(?:[ \t]+(?:part[ \t\-]time|full[ \t\-]time|nights|days|weekends))?)|"
                + JOB_WORD
                + r")[ \t]+(?:at|for|by)[ \t\n]+(?:the[ \t]+)?(?P<phi>"
                + _ORG_WORDS_CAP
                + r")"
            ),
            0.65,
        ),
        # "refills at prairie drug #7": a lower-case store with its number
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<![\w])(?:(?:[a-z]{3,}|[A-Z][a-z]{2,}|[A-Z]{2,4})[ \t]){1,3}(?:pharmacy|drugs?|drugstore)"
                r"[ \t]*\#[ \t]*\d{1,6}\b"
            ),
            0.7,
        ),
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<![\w])(?P<phi>"
                + _UPPER_WORDS
                + r")(?:GENERAL[ \t]+)?(?:"
                + _UPPER_FACILITY
                + r")\b"
            ),
            0.8,
        ),
        Pattern(
            "HOSPITAL",
            rx(
                r"\b(?:Hospital|Clinic|University|Center)\s+of\s+(?P<phi>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3})"
            ),
            0.8,
        ),
        Pattern(
            "HOSPITAL",
            rx(r"(?<![\w])" + _ORG_WORDS + _ORG + r"\b" + _STORE_NO + "?"),
            0.7,
            _named_org,
        ),
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<![\w\-])(?i:"
                + _CHAINS
                + r")(?![\w\-])"
                + _CHAIN_SUFFIX
                + "?"
                + _STORE_NO
                + "?"
                r"|(?<![\w\-])(?i:"
                + _CHAINS_WORDS
                + r")(?:"
                + _CHAIN_SUFFIX
                + _STORE_NO
                + "?|"
                + _STORE_NO
                + r")"
            ),
            0.75,
        ),
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<![\w])(?P<phi>" + _UPPER_WORDS + r"(?:REGIONAL[ \t]+|GENERAL[ \t]+)?"
                r"(?:LAB|LABORATORY|LABORATORIES|IMAGING|PHARMACY|DIAGNOSTICS|RADIOLOGY))\b"
            ),
            0.75,
        ),
    )

    def analyze(self, text: str) -> list[Span]:
        spans = super().analyze(text)
        shorts = {m.group("a") for s in spans if (m := _SHORT_AFTER.match(text, s.end))}
        for a in shorts:
            for m in re.finditer(rf"(?<![\w&]){re.escape(a)}(?![\w&])", text):
                spans.append(Span("HOSPITAL", m.start(), m.end(), 0.7, self.name))
        return spans
