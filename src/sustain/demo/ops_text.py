"""Free text for the demo's operational records: UK English, no real names (people supported
appear by reference only), varied enough to read like a real service's records."""

from __future__ import annotations

# -- medicines ------------------------------------------------------------------------------
DISCREPANCY_ACTIONS = {
    "omission": (
        "Dose not signed for and not given; GP surgery contacted for advice, no harm "
        "expected. Senior spoke to the carer before the end of the shift.",
        "Omission found at the evening check; the 111 pharmacist advised giving the dose "
        "late. Incident form completed.",
        "Tablet found still in the blister pack. Dose missed; resident monitored, GP "
        "informed in the morning.",
        "Missed dose of a once-weekly medicine; pharmacy contacted and next dose date "
        "confirmed on the MAR.",
        "Cream not applied as prescribed; applied at the check and the topical MAR moved "
        "to the bedroom.",
    ),
    "missing_signature": (
        "Gap on the MAR; stock count shows the dose was given. Carer signed a late entry "
        "with the time and reason.",
        "Signature missing for the lunchtime round. Confirmed with the carer by phone; "
        "late entry made and reminder given.",
        "Two boxes left blank on the night round. Stock balanced; discussed at handover.",
        "Missing initials for PRN paracetamol; reason for giving added to the back of "
        "the chart.",
    ),
    "wrong_dose": (
        "Half a tablet given instead of one after a dose change; GP advised, chart "
        "rewritten and checked by two staff.",
        "Liquid measured with a kitchen spoon; oral syringe supplied and staff reminded.",
    ),
    "wrong_time": (
        "Time-critical Parkinson's medicine given 50 minutes late; round order changed so "
        "it is given first.",
        "Morning antibiotics given at lunchtime; spacing of the remaining doses agreed "
        "with the pharmacy.",
        "Evening dose given early because of the round order; reminded staff of the "
        "timed doses list.",
    ),
    "stock": (
        "Stock count one tablet over the expected balance; likely a dose not given. "
        "Recounted with the deputy and reported.",
        "Box count did not match the MAR carried forward figure; corrected after checking "
        "the delivery sheet.",
        "Eye drops opened without a date; new bottle opened and dated.",
    ),
    "controlled_drug": (
        "CD register entry not witnessed; second signature obtained and the stock "
        "balance confirmed correct.",
        "Running balance in the CD register miscalculated on one line; corrected with a "
        "dated footnote.",
    ),
    "other": (
        "Handwritten MAR entry without a second checker's signature; checked and signed.",
        "Medicine stored in the wrong resident's pod; moved and the trolley checked.",
        "PRN protocol missing for a new prescription; written with the GP's advice.",
    ),
}

CHECK_NOTES_CLEAN = (
    "", "", "", "All charts complete.", "No gaps found.", "Charts and stock balanced.",
    "All signed; fridge temperature in range.", "",
)
CHECK_NOTES_ISSUES = (
    "Discrepancies recorded below; staff involved spoken to before going off shift.",
    "See discrepancies; handed over to the next senior.",
    "Issues found and actioned on the shift.",
    "",
)

REVIEW_PATTERNS_NONE = (
    "No discrepancies this week. Checks done on every shift.",
    "Clean week. All end-of-shift checks recorded.",
    "Nothing to follow up; thanked the seniors at the team meeting.",
)
REVIEW_PATTERNS_SOME = (
    "{n} discrepancies this week, mostly {kind}. {shift_note} Followed up in supervision "
    "with the staff involved.",
    "{n} issues found by the end-of-shift checks; the most common was {kind}. {shift_note} "
    "Spot check of the next three rounds booked.",
    "{n} discrepancies; {kind} again. {shift_note} Raised at the team meeting and "
    "competency reassessment arranged where it repeated.",
)
REVIEW_PATTERNS_LAX = (
    "Checks looked at.", "Reviewed.", "Some gaps noted; will keep an eye on it.",
    "Reviewed with the deputy.",
)

# -- safeguarding ----------------------------------------------------------------------------
CONCERNS = {
    "physical": (
        "{ref} was pushed by another resident in the lounge; a red mark on the left forearm "
        "was seen and body-mapped.",
        "Unexplained bruising found on {ref}'s upper arm during personal care. {ref} could "
        "not say how it happened.",
        "Another resident struck {ref} on the shoulder in the dining room; staff separated "
        "them and checked for injury.",
    ),
    "neglect": (
        "{ref} was found in wet bedding with no checks recorded for the previous five hours.",
        "Repositioning chart for {ref} not completed for nine hours.",
        "{ref}'s call bell was out of reach and the drink left on the far side of the room.",
        "{ref} missed lunch because no one noticed the tray had not been delivered.",
    ),
    "psychological": (
        "A visitor was heard shouting at {ref} and calling them names in their room; {ref} "
        "was tearful afterwards.",
        "{ref} said a member of staff spoke to them in a mocking way during the night.",
    ),
    "financial": (
        "{ref}'s family reported money missing from the purse kept in the bedside drawer.",
        "A relative asked staff to help {ref} withdraw a large sum of cash; {ref} seemed "
        "unsure why.",
        "Receipts for {ref}'s shopping did not match the change returned.",
    ),
    "self_neglect": (
        "{ref} has refused personal care for a week and the flat is cluttered with food "
        "waste; capacity to make this decision unclear.",
        "{ref} has stopped taking meals and declines to see the GP.",
    ),
    "organisational": (
        "Residents on the first floor were being got up from 05:30 to suit the shift "
        "routine, not their preferences; {ref} raised it.",
    ),
    "discriminatory": (
        "A visitor made a racist remark to {ref} in the garden; staff intervened.",
    ),
    "sexual": (
        "{ref} described being touched inappropriately by another resident; the two were "
        "kept apart and the police informed.",
    ),
    "domestic": (
        "{ref} disclosed that a partner who visits takes their bank card and shouts at them.",
    ),
}
OUTCOMES = {
    "no_further_action": (
        "Reviewed: explanation consistent with the care notes (knock on the bed rail). No "
        "further action; body map kept under review.",
        "Spoke with {ref} and the family; no abuse or neglect found. Closed with advice.",
    ),
    "internal_action": (
        "Night checks reinstated and audited for two weeks; staff member supervised and "
        "retrained. Family informed.",
        "Care plan updated and risk assessment reviewed; reflective supervision held with "
        "the staff involved.",
        "Placed the call bell and drinks within reach on every room check; spot checks "
        "for a month found no repeat.",
    ),
    "referral": (
        "Local authority safeguarding team accepted the referral and led a section 42 "
        "enquiry; the home's actions were found proportionate. Closed.",
        "Referral screened by the local authority: no enquiry needed, the home's protection "
        "plan was agreed. Closed.",
        "Enquiry completed with the police and the local authority; protection plan in "
        "place and reviewed with {ref}'s family.",
    ),
}

# -- care plans ------------------------------------------------------------------------------
MISMATCHES = (
    "Plan says {ref} mobilises with a frame; daily notes show two staff and a hoist since "
    "last month.",
    "Plan lists a normal diet; speech and language therapy advised a soft diet three weeks "
    "ago and staff are already giving it.",
    "Night care section out of date: {ref} now sleeps in the chair and needs two-hourly "
    "checks.",
    "Family said {ref} prefers a bath in the evening; the plan still says a morning shower.",
    "Falls in the incident log not reflected in the falls risk assessment.",
    "Plan does not mention the new pain patch or when it is changed.",
    "Communication section does not describe how {ref} shows they are in pain.",
    "Skin integrity plan says low risk; the Waterlow score has risen to high risk.",
)
CHANGES_MADE = (
    "Mobility and moving and handling sections rewritten with the physiotherapist's advice.",
    "Eating and drinking plan updated with the SALT guidance; kitchen informed.",
    "Night care section rewritten with {ref} and their daughter.",
    "Personal care preferences updated; shared at handover.",
    "Falls risk assessment and plan reviewed; sensor mat and hourly checks added.",
    "Medicines section updated and the pain assessment tool added.",
    "Plan reviewed with {ref}; no changes needed this month.",
)
# What a review with nothing to change records: what was checked, so a good review is not
# a short one (the drift sign "risk reviews losing detail" reads review length).
NO_CHANGE = (
    "Plan still accurate: daily notes, incident log and observed care all match it; no "
    "changes this month.",
    "Reviewed with {ref} and their key worker; the plan reflects current needs, preferences "
    "and risks.",
    "No changes needed: family happy with the plan, and the notes match what staff do day "
    "to day.",
    "Plan checked against the daily notes and this month's observations; it still describes "
    "{ref}'s care.",
)
CAREPLAN_ACTIONS = (
    "Refer {ref} to the falls clinic and add the outcome to the plan",
    "Ask the GP to review {ref}'s pain relief",
    "Update the moving and handling risk assessment for {ref}",
    "Share {ref}'s new diet guidance with the kitchen and night staff",
    "Book a family meeting to agree {ref}'s end-of-life wishes",
    "Order a pressure-relieving cushion for {ref}",
    "Add {ref}'s communication passport to the care file",
    "Check {ref}'s weights weekly for a month and record them",
    "Arrange {ref}'s annual medication review with the GP",
    "Update {ref}'s photograph and contact details in the care file",
    "Invite {ref}'s family to the next six-monthly review",
)

# -- incidents -------------------------------------------------------------------------------
INCIDENT_TEXT = {
    "fall": (
        ("{ref} found sitting on the bedroom floor beside the bed; said they slipped while "
         "getting up to the toilet.",
         "Checked for injury, none found; hoisted back to bed, observations taken and "
         "recorded."),
        ("{ref} lost balance walking to the dining room without the frame.",
         "Helped up with the hoist after a head-to-toe check; frame placed within reach."),
        ("Unwitnessed fall: {ref} found on the bathroom floor.",
         "No injury seen; neuro observations started as the fall was unwitnessed; GP "
         "informed."),
    ),
    "fall_with_harm": (
        ("{ref} fell in the corridor and hit their head; a cut above the eye and bruising.",
         "First aid, neuro observations, 111 advice; taken to A&E by ambulance."),
        ("{ref} fell from the chair in the lounge and complained of hip pain.",
         "Not moved; ambulance called; X-ray showed a fractured neck of femur."),
        ("{ref} found on the floor with a skin tear to the right shin.",
         "Wound cleaned and dressed; district nurse asked to review."),
    ),
    "pressure_ulcer": (
        ("Pressure damage found on {ref}'s sacrum during personal care.",
         "Tissue viability advice sought; repositioning increased to two-hourly; "
         "air mattress ordered."),
        ("Blistered area on {ref}'s left heel.",
         "Heel off-loading boots fitted; district nurse informed."),
    ),
    "medicines_error": (
        ("{ref} was given another resident's morning tablets.",
         "GP and 111 contacted; observations for 24 hours; no harm. Family told."),
        ("Insulin given without checking the blood glucose first.",
         "Glucose checked straight away and monitored; nurse advice followed."),
        ("Antibiotic course not started for two days after delivery.",
         "Started immediately; GP informed and course end date adjusted."),
    ),
    "near_miss": (
        ("Wrong resident's medicines pot prepared but stopped at the second check.",
         "Pot discarded and the round restarted; photos on the MAR checked."),
        ("Wet floor in the corridor without a sign; {ref} nearly slipped.",
         "Area dried and signed; housekeeping rota discussed."),
        ("Bed rails left down for {ref}, who is assessed as needing them at night.",
         "Rails raised; night checks reminded of the plan."),
    ),
    "behaviour": (
        ("{ref} became distressed during personal care and hit out at staff.",
         "Staff withdrew and tried again later with a familiar carer; ABC chart started."),
        ("{ref} shouted at other residents in the lounge.",
         "Moved to a quiet room with music; behaviour support plan followed."),
    ),
    "missing_person": (
        ("{ref} left the building unnoticed and was found at the bus stop.",
         "Brought back safely; police informed per the missing person protocol; risk "
         "assessment reviewed."),
    ),
    "injury": (
        ("Skin tear on {ref}'s forearm during a transfer.",
         "Cleaned and dressed; moving and handling technique reviewed."),
        ("{ref} burnt their hand on a hot drink.",
         "Cooled under running water for 20 minutes; nurse reviewed; cup with a lid "
         "introduced."),
    ),
    "other": (
        ("Call visit missed: the care worker was not allocated on the rota.",
         "Visit made late; family apologised to and the rota checked."),
        ("Fire door found wedged open on the first floor.",
         "Door wedge removed; staff reminded at handover."),
    ),
}
INVESTIGATIONS = (
    "Reviewed the care notes, call bell log and staffing on the shift.",
    "Spoke to the staff on duty and checked the risk assessment and care plan.",
    "Looked at the falls diary for the month and the sensor mat record.",
    "Post-incident huddle held with the shift; CCTV of the corridor reviewed.",
)
LEARNING = (
    "Risk assessment reviewed and updated; shared at handover.",
    "Shared at the team meeting: check walking aids are within reach at every visit.",
    "Added to the falls analysis; no pattern by time or place this month.",
    "Night checks changed to hourly for people at high risk.",
    "Staff member supervised; competency reassessed.",
)

# -- complaints, compliments, feedback, visits -------------------------------------------------
COMPLAINTS = (
    ("Laundry", "Clothes going missing and coming back with another resident's name."),
    ("Communication", "Family not told about a GP visit until they phoned."),
    ("Care", "Personal care left until late morning on several days."),
    ("Food", "Meals served cold in the first-floor dining room."),
    ("Medicines", "A relative found tablets on the floor of the bedroom."),
    ("Staffing", "Weekends feel short-staffed and call bells take a long time."),
    ("Visits", "Call visits arriving over an hour late without a phone call."),
    ("Environment", "The lift has been out of order for a week."),
)
COMPLAINT_OUTCOMES = (
    "Apologised; laundry labelling changed and a named laundry assistant appointed.",
    "Met the family; agreed a weekly phone update and added preferences to the plan.",
    "Rotas reviewed; the morning routine changed to meet people's preferences.",
    "Heated trolleys ordered; the kitchen checks food temperature at service.",
    "Investigated; explanation given and the medicines round observed for two weeks.",
)
COMPLIMENTS = (
    "Thank you card from a family for the care their mum received in her last weeks.",
    "A daughter praised the activities team for the garden party.",
    "The district nurse said wound care records were the best she had seen this year.",
    "A resident thanked the night staff for sitting with them when they could not sleep.",
    "The GP practice said the home's referrals were clear and timely.",
    "A family member said the kitchen had gone out of its way for their dad's birthday.",
    "Card thanking the team for helping with the move in; 'it already feels like home'.",
)
FEEDBACK = (
    ("The food has got better, but there is not much choice at teatime.", "food"),
    ("Staff are kind but always rushing in the mornings.", "staffing"),
    ("I would like to go out to the shops more often.", "activities"),
    ("Dad's medicines are now given on time; we noticed the difference.", "medicines"),
    ("We were not told about the change in visiting times.", "communication"),
    ("The garden needs seating in the shade.", "environment"),
    ("Mum's room is always clean and fresh.", "environment"),
    ("Handover seems better: staff know what happened the day before.", "care"),
    ("Night staff are very noisy at the 07:00 handover.", "care"),
    ("The weekly phone call from the key worker really helps.", "communication"),
    ("Could we have a residents' meeting in the evening for working families?", "meetings"),
    ("Agency staff do not know people's preferences.", "staffing"),
)
RESPONSES = (
    "Added a second hot option at teatime from next month's menu.",
    "Moved one carer's start time to 07:00 to help with the morning routine.",
    "Booked a weekly trip to the town centre with the activities coordinator.",
    "Shared at the team meeting; thank you for telling us.",
    "Visiting times now on the noticeboard and sent in the monthly newsletter.",
    "Two shaded benches bought for the garden.",
    "Passed the thanks on to the housekeeping team.",
    "Handover moved to the office so it is quieter.",
    "Evening residents' and relatives' meeting arranged for the first Thursday.",
    "Agency staff now get a one-page profile for each person at the start of a shift.",
)
VISIT_LOOKED_AT = {
    "provider": (
        "Walked the home, spoke to four residents and two relatives, sampled care plans "
        "and the medicines trolley.",
        "Quality risk review: audits, incidents, complaints and staffing for the month.",
        "Follow-up of last month's actions; dining experience at lunch.",
    ),
    "spot_check": (
        "Unannounced check of the morning medicines round and MAR charts.",
        "Call bell response times and the first-floor handover.",
        "Care worker's visit: arrival time, care delivered and the daily record.",
    ),
    "night": (
        "Night visit: staffing, night checks, repositioning charts and the CD register.",
        "Arrived 02:00; checked the night routine and spoke to the staff on duty.",
    ),
    "observation": (
        "Observed a medicines round from start to finish.",
        "Observed a hoist transfer and the use of slings.",
        "Observed lunchtime support for people who need help to eat.",
        "Observed a care worker's visit and how consent was sought.",
    ),
}
VISIT_FINDINGS = (
    "Good practice seen; people looked well cared for and staff knew them well.",
    "Records up to date; one repositioning chart incomplete, addressed on the day.",
    "Medicines round safe and unhurried; MAR charts complete.",
    "Staff calm and kind; two call bells took over five minutes to answer.",
    "Night staff alert and checks recorded; fridge temperatures not logged for two days.",
    "Dining experience relaxed; menu not displayed in pictures.",
)
VISIT_ACTIONS = (
    "", "", "Repositioning charts to be checked at each handover.",
    "Display the pictorial menu daily.", "Fridge temperature log checked weekly by the deputy.",
    "Call bell audit for two weeks.",
)

# -- workforce -------------------------------------------------------------------------------
SUPERVISION_TOPICS = (
    "Wellbeing and workload", "Training due", "Feedback from the team", "Record keeping",
    "Moving and handling", "Safeguarding thresholds", "Medicines practice",
    "Person-centred care plans", "Falls prevention", "Annual leave and rota",
)
SUPERVISION_OPENERS = (
    "Talked through the last eight weeks; {pronoun} feels settled on the {unit} unit.",
    "Started with wellbeing: {pronoun} has been covering extra shifts and is tired.",
    "Reviewed the actions from the last supervision; all done.",
    "Discussed a recent shift where the unit was short of one carer and how it was managed.",
    "Went through feedback from a relative who praised {their} patience.",
    "Discussed the move to the day shift and how handovers are going.",
)
SUPERVISION_MIDDLES = (
    "Looked at two of {their} recent daily notes together: clear and specific.",
    "Discussed the care plan for a resident {pronoun} key-works and the changes after "
    "the fall.",
    "Went through the safeguarding pathway and who to tell before the end of the shift.",
    "Talked about recording PRN medicines and the reason for giving.",
    "Reflected on a difficult conversation with a family member; good use of the "
    "complaints leaflet.",
    "Discussed moving and handling refresher and the new slings.",
    "Reviewed {their} mandatory training: two courses due next month.",
    "Talked about interest in the senior carer role and what development would help.",
)
SUPERVISION_MEDICINES = (
    "Reviewed the discrepancies found at the end-of-shift checks this month; none were "
    "{their}.",
    "Went through the MAR check and what to do when a signature is missing.",
    "Discussed the omission on {their} round and the reflective account written.",
    "Talked through time-critical medicines and the new round order.",
)
SUPERVISION_CLOSERS = (
    "Next supervision booked for {next}.",
    "Agreed to meet again on {next}.",
    "{pronoun} found the session useful; next one pencilled in for {next}.",
    "Next supervision due {next}; {pronoun} will bring a reflective account.",
)
SUPERVISION_ACTIONS = (
    "Book the moving and handling refresher.", "Shadow the deputy on a care plan review.",
    "Complete the safeguarding e-learning by the end of the month.",
    "Observe a medicines round with the senior.", "No new actions.",
    "Read the updated falls policy and sign.", "Take the lead on the next residents' meeting.",
)
GENERIC_SUPERVISION = ("Discussed wellbeing and workload. No concerns raised. Happy in role. "
                       "Continue as before.")
GENERIC_SUPERVISION_ACTIONS = "None."
ATTESTATION_ANSWERS = (
    "We check MAR charts at the end of every shift and record anything missing on the "
    "tracker, because gaps were missed before the inspection.",
    "If I am worried about someone I tell the shift lead before I go home and write it up "
    "on the tracker the same shift.",
    "The care plan has to match what we actually do; if it does not, I tell the key worker.",
    "After a fall we hold a huddle and review the risk assessment the same day.",
    "Audits have to say what we found and what we are changing, not just a score.",
    "Because people were getting medicines late or not at all.",
)
