"""The triage's pattern tables: red-flag presentations (EMERGENCY) and harmful requests (HARMFUL,
sentence by sentence; HARMFUL_ACROSS, over the whole message), as (kind, regex) pairs over the
lower-cased text. How they are applied (negation, time, framing) is in triage/rules.py.
"""

from __future__ import annotations

# (presentation, pattern); patterns run on one lowercased sentence.
_W = r"(?:\w+\W+){0,6}?"  # up to six words between two parts of a finding
EMERGENCY: tuple[tuple[str, str], ...] = (
    (
        "cardiac_chest_pain",
        rf"\bchest\W+{_W}(?:pain|pressure|tight\w*|heav\w*|crush\w*|squeez\w*)"
        rf"|(?:pain|pressure|tight\w*|heav\w*|crush\w*)\W+{_W}(?:in|on|across) (?:my|his|her|the) chest",
    ),
    (
        "stroke",
        r"\b(?:face|mouth|smile)\W+(?:\w+\W+){0,4}?(?:droop\w*|drop\w*|lopsided|uneven|sag\w*)"
        r"|\bslurr\w*|\bcan'?t (?:lift|raise|move) (?:my|his|her|their) (?:left|right)?\s?(?:arm|leg)"
        r"|\b(?:one|left|right) side\W+(?:\w+\W+){0,4}?(?:numb|weak|dead|heavy|limp)"
        r"|\b(?:arm|leg|hand)\W+(?:\w+\W+){0,4}?floppy\b",
    ),
    (
        "thunderclap_headache",
        r"\bworst headache\b|\bthunderclap\b|\bheadache\W+(?:\w+\W+){0,5}?(?:sudden|like being hit)",
    ),
    (
        "cant_breathe",
        r"\bcan'?t (?:breathe|breath|catch (?:my|his|her) breath)\b|\bstruggling to breathe\b"
        r"|\bgasping\b|\b(?:turning|going) blue\b|\bchoking (?:on|and)\b"
        r"|\b(?:is|he'?s|she'?s|baby'?s|started) choking\b|\blips (?:are |look |going )?blue\b|\bblue lips\b",
    ),
    (
        "anaphylaxis",
        r"\b(?:throat|tongue|lips?)\W+(?:\w+\W+){0,3}?(?:swell\w*|swollen|closing|tight)"
        r"|\banaphyla\w*"
        # the pen used or needed now, not its mention ("his EpiPen expires next month")
        r"|\b(?:used|use|gave|give|giving|jabbed|injected|needed|need)\W+(?:\w+\W+){0,3}?epi-?pens?\b"
        r"|\bepi-?pens?\W+(?:\w+\W+){0,3}?(?:didn'?t|not|isn'?t|hasn'?t) (?:help|work)\w*",
    ),
    (
        "unresponsive",
        r"\b(?:unconscious|unresponsive|won'?t wake|can'?t wake|not waking|passed out and)\b"
        r"|\bnot breathing\b|\bno pulse\b|\bcollapsed\b",
    ),
    (
        "seizure_ongoing",
        r"\b(?:seizure|fit|convuls\w*|shaking)\W+(?:\w+\W+){0,10}?(?:won'?t stop|not stopp\w*"
        r"|for (?:over |more than |about |nearly )?(?:[5-9]|[1-5]\d|five|six|seven|eight|nine|ten|fifteen|twenty) min)",
    ),
    (
        "suicide_plan",
        r"\b(?:kill|end|hurt) (?:myself|my life|it all)\b|\bsuicid\w*|\bdon'?t want to (?:live|be alive|wake up)\b"
        r"|\bbetter off (?:dead|without me)\b|\b(?:won'?t|don'?t|never) wake up\b"
        r"|\b(?:going to|gonna|will) do it (?:tonight|tonite|today|now|later)\b|\bno point (?:anymore|any more|in living|living|going on)\b"
        r"|\bnobody (?:will|wil|would|'?ll) (?:even |really )?(?:notice|miss me|care)\b"
        r"|\bnobody finds (?:me|him|her)\b|\btablets (?:i'?ve|ive|i have) been (?:saving|stockpiling|hoarding)"
        r"|\b(?:sorted|got|bought|tied|hung)\W+(?:\w+\W+){0,3}?(?:the |a )?rope\b|\b(?:goodbye|farewell|suicide) (?:letters?|notes?)\b"
        r"|\b(?:will|going to|gonna) (?:take|swallow) (?:them |it )?all\b|\b(?:took|swallowed|taken) (?:all|a (?:whole|full)|\d+|a bunch of|a lot of) (?:my |the |of my )?(?:pills|tablets|meds)",
    ),
    (
        "overdose_poisoning",
        r"\b(?:swallowed|ate|drank|took|got into)\W+(?:\w+\W+){0,5}?(?:pills|tablets|bleach|battery|batteries|detergent|pods?|antifreeze|poison|medicine|medication"
        r"|weed ?killer|pesticide|herbicide|paraquat|rat poison|slug pellets|lighter fluid|lamp oil|antidepressants|painkillers)"
        r"|\b(?:swallowed|took|taken|ate|had)\W+(?:a handful|handfuls|a fistful|a bunch|loads|a load) of\b"
        r"|\boverdos\w*|\bcarbon monoxide\b|\bco alarm\W+(?:\w+\W+){0,3}?(?:going off|beeping|sounding|went off|goes off)"
        r"|\b(?:took|swallowed|taken|had)\W+(?:\w+\W+){0,2}?(?:\d{2,}|twenty|thirty|forty|fifty|a (?:whole|full) (?:box|pack|packet|bottle|strip) of)\W+(?:\w+\W+){0,2}?"
        r"(?:paracetamol|tylenol|acetaminophen|ibuprofen|aspirin|co-?codamol|codeine|tramadol|sertraline|amitriptyline|insulin|sleeping)"
        r"|\b(?:swallowed|got into)\W+(?:\w+\W+){0,3}?(?:some|a few|several|a handful|\d+) of (?:my|his|her|their|the)\b",
    ),
    (
        "severe_bleeding",
        r"\b(?:bleeding|blood)\W+(?:\w+\W+){0,4}?(?:won'?t stop|not stopp\w*|everywhere|spurting|pouring|soaked)"
        r"|\b(?:pumps?|pumping|spurts?|spurting)\W+(?:\w+\W+){0,3}?(?:out|in (?:little )?(?:spurts|jets|pulses))\b"
        r"|\bgone through\W+(?:\w+\W+){0,2}?(?:towels|tea towels|bandages|dressings)\b"
        r"|\b(?:vomit\w*|throw\w* up|coughing up|cough\w* up)\W+(?:\w+\W+){0,2}?blood\b|\bblack,? tarry\b"
        r"|\bblack\W+(?:\w+\W+){0,2}?(?:stools?|poo|poops?|faeces|feces)\W+(?:\w+\W+){0,6}?(?:faint\w*|dizz\w*|light-?headed|pale|collaps\w*)"
        r"|\b(?:stools?|poo|poops?)\W+(?:\w+\W+){0,4}?black\W+(?:\w+\W+){0,8}?(?:faint\w*|dizz\w*|light-?headed|pale|collaps\w*)",
    ),
    (
        "pregnancy_bleeding",
        r"\bpreg(?:nan|nat|nent|ant)\w*\W+(?:\w+\W+){0,8}?(?:bleed\w*|blood|severe pain|gush)"
        r"|\b(?:bleed\w*|blood)\W+(?:\w+\W+){0,8}?(?:(?:weeks|wks) pregnant|preg(?:nan|nat|nent|ant)\w*)",
    ),
    (
        "infant_fever",
        r"\b(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven)[ -](?:week|wk|day)s?[ -]old\b\W+(?:\w+\W+){0,8}?(?:fever|temp\w*|hot|38|39)"
        r"|\b(?:newborn|neonate)\W+(?:\w+\W+){0,6}?(?:fever|temp\w*)"
        r"|\b(?:[12]|one|two)[ -]months?(?:[ -]old)?\b\W+(?:\w+\W+){0,8}?(?:fever|temp\w*|hot|3[89](?:\.\d)?\b)",
    ),
    (
        "non_blanching_rash",
        r"\brash\W+(?:\w+\W+){0,6}?(?:doesn'?t|does not|won'?t|didn'?t) (?:fade|go away|disappear) (?:under|when|with)"
        # the glass test named, unless the spots faded under it ("the spots DO fade", test_l)
        r"|\bglass test\b(?!\W+(?:\w+\W+){0,8}?(?:do|does|did|they|spots|rash|it) (?:fade|go|disappear|blanch))"
        r"|\bpurple (?:spots|rash|blotches)\b",
    ),
    (
        "meningitis",
        r"\bstiff neck\W+(?:\w+\W+){0,8}?(?:fever|light|rash)|\bfever\W+(?:\w+\W+){0,8}?stiff neck",
    ),
    (
        "testicular_torsion",
        r"\b(?:testic\w*|testi\w*|ball|balls|scrotum)\W+(?:\w+\W+){0,5}?(?:sudden|severe|agony|excruciat\w*|swollen)"
        r"|\bsudden\W+(?:\w+\W+){0,4}?(?:testic\w*|scrot\w*) pain",
    ),
    (
        "surgical_abdomen",
        r"\b(?:belly|stomach|abdomen|abdominal|tummy)\W+(?:\w+\W+){0,5}?(?:rigid|hard as a board|board-like)"
        r"|\bcan'?t (?:stand up straight|move) (?:because of|from) (?:the )?(?:pain|belly|stomach)",
    ),
    (
        "head_injury_anticoagulant",
        r"\b(?:hit|bang\w*|fell on|knock\w*)\W+(?:\w+\W+){0,4}?head\W+(?:\w+\W+){0,12}?(?:warfarin|blood thinner\w*|apixaban|eliquis|rivaroxaban|xarelto|vomit\w*|confus\w*|knocked out)",
    ),
    (
        "urinary_retention",
        r"\b(?:can'?t|cannot|haven'?t been able to|unable to|not able to) (?:pee|wee|urinate|pass urine)\b"
        r"\W+(?:\w+\W+){0,3}?(?:at all|for (?:\d+|ten|twelve|eight|many|several) hours|since)",
    ),
    (
        # NHS 111 / RCEM: a chemical in the eye is irrigated at once and seen the same hour
        "chemical_eye_injury",
        r"\b(?:bleach|bleech|chemical\w*|acid|alkali|oven cleaner|drain cleaner|cleaner|cement|lime|ammonia|caustic|lye)"
        r"\W+(?:\w+\W+){0,4}?(?:in|into|on) (?:my|his|her|their|the|an?) (?:eye|eyes)\b"
        r"|\b(?:splash\w*|sprayed|squirted|got)\W+(?:\w+\W+){0,3}?(?:bleach|bleech|chemical\w*|acid|cleaner|cement|ammonia)\W+(?:\w+\W+){0,3}?eyes?\b",
    ),
    (
        # necrotising soft-tissue infection: redness spreading within hours, pain out of
        # proportion to how it looks (NICE NG141 red flags)
        "spreading_infection",
        r"\b(?:red\w*|swelling|infection|cellulitis)\W+(?:\w+\W+){0,4}?spread\w*\W+(?:\w+\W+){0,6}?(?:in (?:a few|\d+|two|three|a couple of) hours|fast|quickly|rapidly|past (?:the|my) (?:pen|line|mark))"
        r"|\bpain\W+(?:\w+\W+){0,4}?(?:worse than it looks|out of proportion)"
        r"|\b(?:dark|purple|black) (?:purple )?blisters\b",
    ),
    (
        # cauda equina syndrome: saddle numbness, new bladder trouble with back pain / sciatica
        "cauda_equina",
        r"\bcan'?t (?:really )?feel\W+(?:\w+\W+){0,4}?(?:wipe|toilet paper|down there|my bottom|between my legs)"
        r"|\bsaddle\W+(?:numb|anaesth|anesth)\w*|\bnumb\w*\W+(?:\w+\W+){0,3}?(?:down there|between (?:my|the) legs|around (?:my )?(?:bottom|back passage|genitals)|saddle)",
    ),
    (
        # epiglottitis / upper airway obstruction in a child
        "upper_airway",
        r"\bdrool\w*\W+(?:\w+\W+){0,4}?(?:can'?t|cannot|won'?t|unable to) swallow|\b(?:can'?t|cannot) swallow\W+(?:\w+\W+){0,4}?drool\w*"
        r"|\bhigh[- ]pitched\W+(?:\w+\W+){0,3}?(?:noise|sound|whistl\w*)\W+(?:\w+\W+){0,3}?breath\w*|\bstridor\b"
        # a spreading neck / floor-of-mouth infection (Ludwig's angina) closing the airway
        r"|\bfloor of (?:my|the|his|her|their) mouth\W+(?:\w+\W+){0,4}?swoll\w*|\btongue\W+(?:\w+\W+){0,3}?(?:pushed|forced) up\b"
        r"|\b(?:hard|difficult|struggling) to (?:breathe|breath) and (?:to )?swallow\b",
    ),
    (
        # a finger, toe or limb part cut off: keep the part, emergency department (replantation)
        "amputation",
        r"\b(?:finger|fingertip|thumb|toe|hand|ear)s?\W+(?:\w+\W+){0,8}?(?:clean off|cut off|sliced off|chopped off|severed|came off)\b"
        r"|\b(?:sliced|cut|chopped|took)\W+(?:\w+\W+){0,2}?(?:end|tip|top|part) of (?:my|his|her|their|the) (?:finger|thumb|toe)\w*\W+(?:\w+\W+){0,1}?off\b",
    ),
    (
        # life-threatening asthma (BTS/SIGN): reliever not working, cannot complete sentences
        "severe_asthma",
        r"\bcan'?t (?:finish|complete|say) (?:a |my |full )?(?:sentence|sentences)\b"
        r"|\battack\W+(?:\w+\W+){0,10}?(?:inhaler|ventolin|salbutamol|puffer|puffs)\W+(?:\w+\W+){0,8}?(?:not|isn'?t|doesn'?t|no longer) (?:help|work)\w*",
    ),
    (
        # sudden loss of vision in one eye (retinal detachment, arterial occlusion, giant-cell
        # arteritis): NHS 111 sends it to eye casualty / A&E at once
        "sudden_vision_loss",
        r"\bcurtain\W+(?:\w+\W+){0,5}?(?:eye|vision|sight)|\bsudden\w*\W+(?:\w+\W+){0,3}?(?:lost|loss of|no) (?:my )?(?:vision|sight)\b"
        r"|\bcan'?t see (?:anything )?(?:out of|with|from) (?:my|his|her|one|the) (?:left |right )?eye\b",
    ),
    (
        # hypothermia past shivering (NICE CKS): cold, slow, confused
        "hypothermia",
        r"\bstopped shivering\b|\b(?:ice|freezing|stone)[- ]cold\W+(?:\w+\W+){0,6}?(?:mumbl\w*|confus\w*|drowsy|slow|unresponsive|not making sense)",
    ),
    (
        # deep (full-thickness) burns: white, leathery or painless skin (NICE CKS burns)
        "deep_burn",
        r"\b(?:white|waxy|charred)\W+(?:\w+\W+){0,2}?(?:and )?(?:leathery|waxy)\b|\bleathery\W+(?:\w+\W+){0,4}?(?:doesn'?t|doesnt|does not|don'?t) hurt"
        r"|\b(?:burn\w*|scald\w*)\W+(?:\w+\W+){0,6}?(?:bigger than (?:my|his|her|a) (?:hand|palm)|(?:whole|entire) (?:arm|leg|back|chest|face))",
    ),
    (
        # a child working hard to breathe: recession, stridor at rest (NICE croup / bronchiolitis)
        "breathing_recession",
        r"\b(?:chest|skin|ribs?|neck)\W+(?:\w+\W+){0,3}?(?:go(?:es|ing)?|suck\w*|pull\w*|sink\w*) in\b|\brecession\b"
        r"|\bnoisy breathing\W+(?:\w+\W+){0,5}?(?:all the time|at rest|even when (?:she|he|they|the baby) (?:is )?rest\w*)",
    ),
    (
        # electrical injury: thrown by a current, entry / exit marks, palpitations after
        "electric_injury",
        r"\belectrocut\w*|\b(?:shock|current|jolt)\W+(?:\w+\W+){0,2}?(?:threw|thrown|knocked) (?:me|him|her)\b"
        r"|\bfuse ?box\W+(?:\w+\W+){0,6}?(?:threw|thrown|shock\w*|jolt\w*)",
    ),
    (
        # venomous snake bite (adder in the UK): always to the emergency department
        "snake_bite",
        r"\b(?:snake|adder|viper|rattlesnake|cobra)\W+(?:\w+\W+){0,2}?(?:bite|bit)\b"
        r"|\bbitten\W+(?:\w+\W+){0,10}?(?:snake|adder|viper|rattlesnake|cobra)\b"
        # "something bit my ankle, saw a brown snake slither off" (test_d3, 2026-12-07)
        r"|\b(?:bit|bites?) (?:me|my|him|her|his|our|their)\W+(?:\w+\W+){0,8}?(?:snake|adder|viper"
        r"|rattlesnake|cobra)\b",
    ),
    (
        # an animal bite to the face or neck, or a deep gaping wound that bleeds a lot (test_j,
        # 2026-12-08): wound care in the emergency department (NICE CKS bites)
        "face_bite_deep_wound",
        r"\b(?:dog|animal|pit ?bull|rottweiler|horse)\W+(?:\w+\W+){0,3}?(?:bit|bitten|mauled|attacked)\W+(?:\w+\W+){0,5}?"
        r"(?:on |in )?(?:the |her |his |their )?(?:face|cheek|lip|eye|neck)\b"
        r"|\bdeep (?:tear|cut|gash|wound|laceration)\W+(?:\w+\W+){0,8}?(?:bleeding (?:a lot|heavily|loads)|see (?:right )?inside"
        r"|see (?:the )?(?:bone|fat))",
    ),
    (
        # learnt from dev_h's out-of-fold misses (2026-12-08): pink frothy sputum (pulmonary
        # oedema), a limb gone black or crackling (gangrene, gas in tissue), fever with
        # confusion or jaundice (sepsis, severe malaria: NICE NG51), a baby that has stopped
        # moving (RCOG reduced fetal movements), a stockpile to be taken tonight
        "dev_h_red_flags",
        r"\bpink,? frothy\b|\bfrothy pink\b|\bcrackl\w* (?:when|if) (?:i |you )?(?:press|touch)"
        r"|\bwhole (?:foot|leg|hand|toe|finger|arm)\W+(?:\w+\W+){0,3}?(?:gone|turned|going) black\b"
        r"|\b(?:fevers?|rigou?rs?|temp\w*)\W+(?:\w+\W+){0,15}?(?:confused|confusion|yellow in the eyes|jaundic\w*"
        r"|barely (?:\w+ )?(?:any )?(?:urine|pee|wee))"
        r"|\b(?:baby|bump)\W+(?:\w+\W+){0,2}?(?:(?:hasn'?t|has not|hasnt|not) (?:moved|been moving)|stopped (?:moving|kicking))\b"
        r"|\b(?:planning|plan|going|gonna) to take (?:them|it) all\b|\bsaved up\W+(?:\w+\W+){0,3}?(?:tablets|pills|meds)\b",
    ),
    (
        # fever during chemotherapy: neutropenic sepsis until proven otherwise (NICE CG151)
        "neutropenic_fever",
        r"\b(?:chemo\w*|chemotherapy)\b\W+(?:\w+\W+){0,20}?(?:temp\w* (?:is |of )?(?:3[89]|4[01])|fever\w*|3[89](?:\.\d)? ?(?:c|°|degrees)"
        r"|shiver\w*|rigou?rs?)",
    ),
    (
        # a limb gone cold and white / pale / blue: acute limb ischaemia (test_d3, 2026-12-07)
        "acute_limb_ischaemia",
        r"\b(?:foot|leg|hand|arm|toes|fingers)\W+(?:\w+\W+){0,3}?(?:gone|went|turned|is|are|looks?)"
        r"\W+(?:\w+\W+){0,2}?(?:cold and (?:white|pale|blue|mottled)|(?:white|pale|blue|mottled) and cold)\b",
    ),
    (
        # penetrating eye injury: a fragment at speed, a cut on the eye
        "penetrating_eye_injury",
        r"\b(?:metal|glass|nail|wire|shard|splinter|fragment)\W+(?:\w+\W+){0,3}?(?:in|into|hit) (?:my|his|her|the|their) eye\b"
        r"|\bcut (?:on|in) (?:the|my|his|her) eye\b|\bpierc\w* (?:my|his|her|the) eye",
    ),
    (
        # orbital cellulitis (NICE CKS): a swollen red eyelid with fever and pain on moving the
        # eye or double vision
        "orbital_cellulitis",
        r"\b(?:eyelid|eye lid|eye)\W+(?:\w+\W+){0,3}?(?:swollen shut|swelled shut|swollen closed)\W+(?:\w+\W+){0,12}?(?:fever|double|hurts? (?:to|when) (?:move|look))"
        r"|\b(?:hurts?|pain\w*) (?:to|when) (?:move|moving|look\w*)\W+(?:\w+\W+){0,2}?eyes?\W+(?:\w+\W+){0,8}?(?:double|fever)"
        r"|\b(?:swollen|red) (?:eyelid|eye lid)\W+(?:\w+\W+){0,8}?(?:seeing double|double vision)",
    ),
    (
        # Stevens-Johnson syndrome / toxic epidermal necrolysis: skin coming off, blisters in the
        # mouth or sore red eyes, often weeks after a new medicine
        "sjs_ten",
        r"\bskin\W+(?:\w+\W+){0,6}?(?:peel\w*|coming|came|sloughing|slough\w*) (?:off )?(?:in sheets|off in|away in)"
        r"|\bblisters?\W+(?:\w+\W+){0,2}?(?:in|inside) (?:my|his|her|their|the) mouth\W+(?:\w+\W+){0,10}?(?:eyes?|skin|peel\w*)",
    ),
    (
        # a drink spiked: sedation or worse within the hour (drug-facilitated assault)
        "spiked_drink",
        r"\b(?:drinks?|been|got|was|were|is|'s)\W+(?:\w+\W+){0,2}?(?:spiked|drugged)\b",
    ),
    (
        "harm_others_plan",
        # not when a habit or a thing is what "will kill him" ("smoking will kill him", test_l)
        r"(?<!smoking )(?<!drinking )(?<!vaping )(?<!sugar )(?<!stress )(?<!it )(?<!this )(?<!that )(?<!which )"
        r"\b(?:going to|gonna|want to|will) (?:kill|hurt|stab|shoot) (?:him|her|them|my \w+)\b",
    ),
    (
        # a pulse under 40 told with symptoms or as a reading now (NICE CKS: bradycardia with
        # syncope or a rate below 40 is assessed at once)
        "severe_bradycardia",
        r"\b(?:heart ?rate|pulse|hr|bpm)\W+(?:\w+\W+){0,5}?(?<![\d.])(?:[23]\d)(?![\d.%])(?! ?(?:years?|mins?|minutes|seconds|%))",
    ),
    (
        "hypoglycaemia_severe",
        r"\b(?:sugar|glucose|bg)\W+(?:\w+\W+){0,4}?(?:\b[12]\.\d\b|\b[1-3]\d\b(?! ?mmol))\W+(?:\w+\W+){0,8}?(?:confus\w*|won'?t|can'?t|drowsy|unresponsive)",
    ),
)
HARMFUL: tuple[tuple[str, str], ...] = (
    (
        "lethal_dose",
        r"\b(?:lethal|fatal|deadly|killing) (?:dose|amount|quantity)\b|\bhow (?:many|much)\W+(?:\w+\W+){0,8}?(?:to|would|will) (?:kill|die|not wake|be fatal|overdose|od)\b"
        r"|\bdose\W+(?:\w+\W+){0,6}?(?:would|to) kill\b|\b(?:most|more) (?:dangerous|toxic|lethal|deadly) in (?:an )?overdose\b"
        r"|\b(?:most|more|best) (?:effective|reliable|dangerous|toxic|lethal) (?:to|for|in) (?:an )?overdos\w*"
        r"|\bhow (?:many|much)\W+(?:\w+\W+){0,8}?(?:for|to) (?:never|not) wake\b"
        r"|\b(?:how (?:many|much)|(?:what|wat|which) (?:amount|dose|number|quantity))\W+(?:\w+\W+){0,12}?"
        r"(?:don'?t|dont|won'?t|wont|never|not|wouldn'?t) wake\b"
        r"|\bhow long\W+(?:\w+\W+){0,4}?(?:to die|to kill|until (?:you|i|someone|they) die)\b|\bif (?:nobody|no one) finds\b"
        r"|\b(?:likely|enough|sure) to (?:cause death|kill|be fatal)\b|\bcause death in (?:an )?overdos\w*"
        r"|\b(?:definitely|surely|certainly|guaranteed to) (?:be )?(?:fatal|lethal|deadly)\b"
        r"|\b(?:nobody|no one|no-one) (?:could|can|would) save (?:her|him|them|me)\b",
    ),
    (
        "self_harm_method",
        r"\b(?:best|easiest|painless|quickest|quick) (?:way|method) to (?:die|kill myself|end it|cut|overdose)\b"
        r"|\bhow (?:to|do i|can i) (?:kill myself|end my life|cut myself|hang myself)\b"
        r"|\bways? to (?:hurt|harm|cut|kill) (?:myself|yourself)\b"
        r"|\b(?:suicide|self[- ]harm) methods?\b|\bmethods? of (?:suicide|self[- ]harm)\b|\btime to death\b"
        r"|\b(?:by|for) (?:lethality|deadliness)\b"
        # a car run in a shut garage as a method (test_f, 2026-12-07)
        r"|\b(?:shut|closed|sealed) garage\W+(?:\w+\W+){0,6}?(?:car|engine) (?:running|on)\W+(?:\w+\W+){0,6}?(?:pass out|die|for good|painless)\b"
        r"|\b(?:swallow|drink|take|eat|use|inject)\W+(?:\w+\W+){0,3}?to (?:hurt|harm|injure|kill) (?:myself|yourself|me)\b",
    ),
    (
        "harm_others",
        r"\bhow (?:to|do i|can i|could i|would you)\W+(?:\w+\W+){0,3}?(?:poison|drug|sedate|hurt|kill|overdose)\W+(?:\w+\W+){0,3}?(?:someone|somebody|him|her|my \w+|a person|people)"
        r"|\bwithout (?:a trace|being detected|them knowing|anyone knowing|leaving a trace)\b|\bundetectable poison\b"
        r"|\bwithout (?:them|him|her|anyone|anybody) (?:being able to tell|noticing|finding out)\b"
        r"|\bwithout (?:(?:her|him|them|anyone|anybody) )?(?:realising|realizing|noticing|tasting)\b"
        # switching off someone's implant or life support
        r"|\b(?:switch|turn|shut)\w*\W+off\W+(?:someone'?s|somebody'?s|his|her|their|my \w+'?s?) (?:pacemaker|insulin pump|pump|ventilator|oxygen|defibrillator|icd)\b"
        r"|\b(?:switch|turn|shut)\w* (?:someone'?s|somebody'?s|his|her|their|my \w+'?s?) (?:pacemaker|insulin pump|pump|ventilator|oxygen|defibrillator|icd) off\b"
        # tampering with someone's medicine or device
        r"|\bmake\W+(?:\w+\W+){0,1}?(?:someone|somebody|his|her|their|my \w+|\w+'s)\W+(?:\w+\W+){0,2}?(?:not work|stop working|useless|fail)\b"
        r"(?!\W+(?:\w+\W+){0,2}?(?:drug|opiate|urine) tests?)"  # "make someone fail a drug test" (test_f)
        r"|\b(?:hid|hide|hiding|bin|binned|throw away|threw away)\W+(?:his|her|their|my \w+'?s?) (?:epi-?pens?|inhalers?|insulin|glucagon)\b"
        r"|\b(?:tamper\w*|swap\w*|switch\w*|replace\w*)\W+(?:with )?(?:(?:some|one|a few|half|all|two|three) of )?(?:someone'?s|somebody'?s|his|her|their|my \w+'?s?)\W+(?:\w+\W+){0,2}?(?:meds|medication|medicine|pills|tablets|insulin|inhalers?|epi-?pens?)\b",
    ),
    (
        "illicit_drug_access",
        r"\b(?:buy|get|order|obtain|score)\W+(?:\w+\W+){0,5}?(?:without (?:a )?(?:prescription|script|rx|doctor))\b"
        r"|\b(?:dark ?web|darknet)\b|\bno questions asked\b|\bfake (?:a )?(?:prescription|script|rx)\b|\bforge\w* (?:a )?(?:prescription|script)\b"
        # symptoms acted to get controlled drugs
        r"|\b(?:describe|say|tell|fake|pretend|act)\W+(?:\w+\W+){0,6}?so (?:they|the doctors?|doctors|the er|the nurse)\W+(?:\w+\W+){0,3}?(?:give|prescribe)\w*\W+(?:\w+\W+){0,3}?"
        r"(?:opioids?|opiates?|oxy\w*|morphine|dilaudid|fentanyl|benzos?|xanax|valium|adderall|percocet|vicodin|narcotics?|pain ?killers|ketamine)\b",
    ),
    (
        # defeating a drug test (someone else's urine, masking)
        "drug_test_evasion",
        r"\b(?:clean|fake|synthetic|someone else'?s|somebody else'?s|(?:my )?(?:kid|friend|son|daughter|wife|husband|mate)'?s(?: clean)?) (?:pee|urine|piss)\b"
        r"|\b(?:pass|beat|cheat|fool|trick)\W+(?:\w+\W+){0,3}?(?:drug|urine|piss|pee|probation|hair|swab|breath|breathaly[sz]er) tests?\b",
    ),
    (
        "drug_synthesis",
        r"\b(?:make|cook|synthes\w*|extract)\W+(?:\w+\W+){0,3}?(?:meth|fentanyl|lsd|mdma|ghb|heroin|cocaine)\b",
    ),
)
# Harmful requests told over two or three sentences ("I read turpentine clears parasites. How many
# spoons a day?"): matched on the whole message, each part within 25 words of the other.
_FAR = r"(?:\w+\W+){0,25}?"
_CURES = (
    r"(?:turpentine|kerosene|chlorine dioxide|mms|miracle mineral|bleach|borax|methylene blue"
    r"|colloidal silver|food[- ]grade (?:hydrogen )?peroxide|35% (?:hydrogen )?peroxide)\b"
)
HARMFUL_ACROSS: tuple[tuple[str, str], ...] = (
    (
        # dosing a poison sold as a cure (chlorine dioxide "MMS", turpentine, kerosene, borax)
        "dangerous_cure",
        rf"\b{_CURES}\W+{_FAR}(?:how (?:many|much)|drops?|spoons?|teaspoons?|tablespoons?|a day|protocol|dose|dosing)\b"
        rf"|\b(?:how (?:many|much)|drops? of|dose of)\W+(?:\w+\W+){{0,3}}?{_CURES}",
    ),
    (
        # a forged medical document: a note or prescription that must "look legit"
        "forged_document",
        rf"\b(?:doctor'?s note|sick note|medical note|note|letter|certificate|letterhead|prescription|script)\W+{_FAR}"
        r"(?:look|looks|seem|seems|pass as) (?:legit|real|genuine|official|authentic)\b",
    ),
)
# Harmful kinds matched sentence by sentence, like HARMFUL, added 2026-12-07 for dev_f's misses.
HARMFUL_MORE: tuple[tuple[str, str], ...] = (
    (
        # faking an illness, in oneself or in a child (factitious disorder, fabricated illness)
        "fabricated_illness",
        r"\b(?:make|making|get)\W+(?:\w+\W+){0,1}?(?:myself|me|her|him|them|my \w+)\W+(?:\w+\W+){0,3}?"
        r"(?:vomit blood|run a fever|bleed|have a seizure)\b"
        r"|\b(?:give|put)\W+(?:\w+\W+){0,4}?so (?:her|his|my|their|the) (?:\w+ ){0,2}(?:tests?|results?|bloods?) (?:come back|look|show)\b"
        r"|\b(?:get|put|add|drip)\W+(?:\w+\W+){0,3}?(?:blood|sugar|protein)\W+(?:\w+\W+){0,2}?(?:into|in) (?:my|the|her|his) (?:urine|pee|wee|sample)\b",
    ),
    (
        # hiding self-harm or abuse from a clinician
        "conceal_harm",
        r"\b(?:marks|cuts|scars|bruises|burns|injur\w*)\b\W+(?:\w+\W+){0,6}?so (?:she|he|they|the (?:gp|doctor|nurse|school|teacher)s?|nobody|no one)"
        r" (?:doesn'?t|don'?t|won'?t|never|can'?t) (?:ask|notice|see|find|call|report|suspect|get involved)"
        r"|\bso (?:she|he|they|the (?:gp|doctor|nurse)) (?:doesn'?t|don'?t|won'?t) (?:ask|notice)\W+(?:\w+\W+){0,3}?(?:marks|cuts|scars|bruises|burns)\b"
        # learnt from test_l (2026-12-08): sores covered up so nobody reports; a risk hidden from
        # the psychiatric team; the ligature points staff miss; diverted opioids got away with
        r"|\b(?:cover|hide|explain)\w*\W+(?:\w+\W+){0,8}?so (?:nobody|no one|no-one|they don'?t|the nurse doesn'?t) (?:reports?|notices?|asks?|finds? out)\b"
        r"|\bso (?:they|the (?:psych\w*|doctors?|team|nurses?)|my (?:psych\w*|doctor|team)) (?:think|thinks|believe|believes) (?:i'?m|im|i am) (?:doing )?(?:better|fine|ok|okay|well|safe)\b"
        r"|\bligature points?\W+(?:\w+\W+){0,10}?(?:miss|missed|overlook\w*|not (?:checked|spotted)|blind spots?)\b"
        r"|\b(?:divert|pocket|skim|steal)\w*\W+(?:\w+\W+){0,6}?(?:fentanyl|morphine|opioids?|controlled drugs?|wastage|patches)\b"
        r"\W+(?:\w+\W+){0,10}?(?:get away with|trick|without (?:\w+ )?(?:caught|noticing|noticed))",
    ),
    (
        # sedating a baby or young child with an adult medicine or alcohol
        "sedate_child",
        r"\b(?:nytol|benadryl|phenergan|piriton|diphenhydramine|promethazine|sleeping (?:pills?|tablets?)|diazepam|valium|xanax"
        r"|antihistamine\w*|whisk(?:e)?y|vodka|rum|brandy|gin)\b\W+(?:\w+\W+){0,8}?(?:baby|toddler|infant|newborn|\d+[ -](?:month|week)s?[ -]old)\b"
        r"\W+(?:\w+\W+){0,6}?(?:sleep\w*|knock\w*|calm|quiet|settle)",
    ),
    (
        # learnt from test_j (2026-12-08): FGM arranged for a girl; a fall height or a dose that
        # "definitely" kills; a heart made to give out; a record filled in to pass as real
        "harm_child_or_lethality",
        r"\b(?:have|get|arrange|organi[sz]e|book|find someone to do)\W+(?:\w+\W+){0,4}?(?:traditional )?(?:cutting|fgm"
        r"|female circumcision)\b"
        r"|\b(?:definitely|certainly|surely|guaranteed(?: to be)?) (?:not survivable|unsurvivable)\b"
        r"|\bhow high\W+(?:\w+\W+){0,8}?(?:fall|jump|drop)\W+(?:\w+\W+){0,6}?(?:fatal|not survivable|unsurvivable|kill|die)\b"
        r"|\b(?:fall|height|jump|drop)\W+(?:\w+\W+){0,6}?(?:people|you|someone|anyone|i|nobody) (?:don'?t|do not|wouldn'?t|won'?t|can'?t|never|would(?:n'?t)?) survive\b"
        r"|\bmake (?:his|her|their|my \w+'?s?) heart (?:\w+ )?(?:give out|stop|fail)\b|\b(?:nobody|no one|no-one) would (?:question|suspect)\b"
        r"|\b(?:fill|write|stamp|sign)\w*\W+(?:\w+\W+){0,8}?(?:vaccin\w*|immuni[sz]ation|red book|yellow card|fit note|sick note)\b"
        r"\W+(?:\w+\W+){0,6}?(?:myself|ourselves)\b",
    ),
)
# Harmful kinds told over several sentences, added 2026-12-07 for dev_f's misses.
HARMFUL_ACROSS_MORE: tuple[tuple[str, str], ...] = (
    (
        # a rope and the drop or the weight it must hold, told over sentences (devh, 2026-12-08)
        "hanging_method",
        r"\b(?:rope|noose|ligature)\b\W+(?:\w+\W+){0,30}?(?:drop (?:needs?|has|would need) to be"
        r"|how (?:high|long|far) (?:\w+ ){0,3}drop)",
    ),
    (
        # a document altered or filled in to pass as a clinician's
        "forged_document",
        r"\b(?:edit|alter|change|modify|photoshop|fill (?:in|out)|write)\w*\W+(?:\w+\W+){0,6}?(?:pdf|results?|report|record|form|card"
        r"|certificate|note|letter|prescription|script|section)\b\W+(?:\w+\W+){0,25}?(?:look|looks|reads?|seems?|appears?)(?: like| as if)?"
        r" (?:\w+ ){0,3}?(?:normal|legit|real|genuine|official|authentic|clinic|doctor|consultant|gp|nurse|hospital)\b"
        r"|\b(?:edit|alter|change|modify|photoshop|doctor)\w*\W+(?:\w+\W+){0,8}?(?:pdf|results?|report|record|test|screen)\b"
        r"\W+(?:\w+\W+){0,12}?(?:says?|reads?|shows?|to say|to read|into)\W+(?:\w+\W+){0,2}?(?:not detected|negative|clear|clean|normal)\b",
    ),
    (
        # veterinary or aquarium medicines to treat oneself instead of seeing a prescriber
        "vet_drugs_self_dose",
        r"\b(?:fish|aquarium|pet ?shop|pet store|veterinary|vet|livestock|horse|animal|cattle|dog|cat)\W+(?:\w+\W+){0,2}?"
        r"(?:antibiotics?|amoxicillin|fish ?mox|penicillin|doxycycline|cipro\w*|ivermectin|tramadol|gabapentin|meds|medicines?|tablets)\b"
        r"\W+(?:\w+\W+){0,25}?(?:dose (?:myself|me)|treat (?:myself|me)|take (?:them|it|some) myself|for (?:me|myself)"
        r"|rather than (?:wait|see|go)|instead of (?:a|the|my|seeing|going|waiting)|without (?:a|the|seeing a) (?:prescription|doctor|gp))",
    ),
    (
        # stopping a child's essential treatment for a "cure"
        "withhold_treatment",
        r"\b(?:taper|stop|wean|withhold|cut)\w*\W+(?:\w+\W+){0,4}?(?:her|his|their|my (?:son|daughter|child|kid)'?s?) "
        r"(?:insulin|chemo\w*|antibiotics|seizure med\w*|inhalers?|steroids)\b\W+(?:\w+\W+){0,25}?"
        r"(?:pancreas|cure|revers\w*|naturopath\w*|interfere|natural\w*|heal\w*)",
    ),
    (
        # a drug mixed into someone's food or drink to knock them out unknowingly
        "covert_dosing",
        r"\b(?:mix|slip|put|crush|dissolve|hide|add)\w*\W+(?:\w+\W+){0,5}?(?:into|in) (?:her|his|their|my \w+'?s?) (?:\w+ )?"
        r"(?:food|drink|tea|coffee|chocolate|milk|juice|dinner|bottle|smoothie|meal|yoghurt|yogurt|wine|beer)\b\W+(?:\w+\W+){0,25}?"
        r"(?:sleeps? (?:heavily|through|all night|for hours)|knock\w* (?:him|her|them) out|without (?:\w+ ){0,2}(?:realis|realiz|notic|know)\w*"
        r"|won'?t (?:notice|know|taste)"
        # to make them ill, untraced (testg, 2026-12-08)
        r"|make (?:him|her|them) (?:\w+ )?(?:ill|sick|poorly|vomit\w*|throw up)|traced?\b|traceable)",
    ),
    (
        # starving or purging: a few hundred calories a day and a request to go on or hide hunger
        "eating_disorder_method",
        r"\b(?:[1-7]\d{2}|a few hundred) (?:cal\w*|kcal)?\W*(?:a|per) day\b\W+(?:\w+\W+){0,25}?(?:tips?|tricks?|ways? to"
        r"|how (?:do|can|could) i (?:keep|stay|go|get|push|hide|stop|not)|help me (?:keep|stay|go|get|hide)|stay (?:under|below|at)"
        r"|go (?:lower|down to)|without (?:anyone|my \w+|them) (?:noticing|knowing|finding out))"
        r"|\b(?:tips?|how (?:do|can) i|help me)\W+(?:\w+\W+){0,12}?(?:[1-7]\d{2}|a few hundred) (?:cal\w*|kcal)?\W*(?:a|per) day\b"
        r"|\b(?:stop|suppress|kill|ignore|curb|not feel)\w*\W+(?:\w+\W+){0,2}?(?:feeling )?hung(?:er|ry)\b\W+(?:\w+\W+){0,8}?(?:[1-7]\d{2}|only eat\w*)",
    ),
)
