"""Clinical filler sentences and word lists for the synthetic notes (written for this project).

The sentences hold the usual false-positive traps and no PHI: brand-name drugs, eponyms, vital
signs, lab values, scores, ages under 90, fractions.
"""

from __future__ import annotations

FILLER = (
    "Blood pressure 142/74, heart rate 88, respiratory rate 16, SpO2 97% on room air.",
    "He denies chest pain, shortness of breath, or palpitations.",
    "She reports intermittent headaches relieved by Tylenol.",
    "Continue Lasix 40 mg PO daily and Coumadin per INR.",
    "Lungs clear to auscultation bilaterally. No wheezes, rales, or rhonchi.",
    "Abdomen soft, non-tender, non-distended. Bowel sounds present.",
    "Strength 5/5 in all extremities; reflexes 2+ and symmetric.",
    "Labs: WBC 12.3, Hgb 10.8, Plt 245, Na 138, K 4.1, Cr 1.2.",
    "History notable for Parkinson disease and Hodgkin lymphoma in remission.",
    "Foley catheter removed; voiding without difficulty.",
    "Grade 2/6 systolic murmur at the left sternal border.",
    "Pain 3/10, improved from 7/10 on admission.",
    "Started Lipitor 20 mg nightly; metformin 500 mg twice daily continued.",
    "Echocardiogram showed an ejection fraction of 55% without wall motion abnormality.",
    "Patient counseled on smoking cessation; 1/2 pack per day for 20 years.",
    "CT of the abdomen was negative for acute pathology.",
    "Glasgow Coma Scale 15. Alert and oriented times three.",
    "Plan to follow up in 3 months or sooner if symptoms worsen.",
    "A1c 7.9% today, up from 7.1% last visit.",
    "Murphy sign negative. No rebound or guarding.",
    "The patient is a 58-year-old with hypertension and type 2 diabetes.",
    "Her 67 year old sister also has osteoporosis.",
    "Tolerating a regular diet. Ambulating with a walker.",
    "Neurontin 300 mg TID for neuropathic pain; Flomax for BPH.",
    "Chest x-ray: no focal consolidation, effusion, or pneumothorax.",
    "EKG: normal sinus rhythm, rate 72, no ST changes; compared with the prior tracing.",
    "Wells score low; D-dimer negative.",
    "Reviewed the Apgar scores and Bishop score with the Obstetrics team.",
    "Medications reconciled. Allergies: penicillin (rash).",
    "Will check TSH, B12, and lipid panel at the next visit.",
)

HOSPITAL_WORDS = (
    "{last} Memorial Hospital",
    "{city} General Hospital",
    "St. {first}'s Medical Center",
    "{last} Community Hospital",
    "{city} Regional Medical Center",
    "{last} Family Clinic",
)

STREET_SUFFIXES = (
    "Street",
    "St.",
    "Avenue",
    "Ave",
    "Road",
    "Rd",
    "Drive",
    "Lane",
    "Boulevard",
    "Court",
    "Way",
    "Place",
)
