//! Cue phrases: the wording lawyers use for each clause category, matched as whole features so
//! the model can lean on them where the data has few examples. Each cue that matches a sentence
//! adds one feature named after its category; the model learns how much each is worth.

use std::sync::LazyLock;

use regex::RegexSet;

/// (category id, case-insensitive pattern).
const CUES: &[(&str, &str)] = &[
    ("document_name", r"^[^a-z]{0,80}\bagreement\b[^a-z]{0,40}$"),
    (
        "parties",
        r"by and between|entered into (?:by|between)|\bbetween\b[^.]{0,200}\band\b",
    ),
    (
        "agreement_date",
        r"dated (?:as of )?|made (?:and entered into )?(?:as of|on|this)|\bday of\b",
    ),
    (
        "effective_date",
        r"effective (?:date|as of)|shall (?:commence|become effective)|come into (?:force|effect)",
    ),
    (
        "expiration_date",
        "initial term|(?:expire|remain in (?:full )?(?:force|effect)|continue)[^.]{0,80}(?:until|\
            years?|months?|anniversary)",
    ),
    (
        "renewal_term",
        r"renew|successive|extend(?:ed)?[^.]{0,40}(?:term|period)",
    ),
    (
        "notice_period_to_terminate_renewal",
        "(?:notice|notif)[^.]{0,80}(?:non-?renewal|not to renew|intention not|prior to the (?:end|\
            expiration))",
    ),
    (
        "governing_law",
        r"governed by|governing law|construed (?:in accordance|under)|laws of the state",
    ),
    (
        "most_favored_nation",
        "most favou?red|no less favou?rable|more favou?rable (?:terms|prices?|pricing)|\
            lowest (?:net )?price",
    ),
    (
        "non_compete",
        "non-?compet|not (?:to )?(?:directly or indirectly )?(?:compete|engage in)|compet(?:ing|\
            itive) (?:product|business|service)",
    ),
    (
        "exclusivity",
        "exclusiv|sole (?:and exclusive )?(?:supplier|distributor|provider|source|agent)|\
            all (?:of )?(?:its|their) requirements",
    ),
    (
        "no_solicit_of_customers",
        r"solicit[^.]{0,80}(?:customer|client)|(?:customer|client)[^.]{0,80}solicit",
    ),
    (
        "competitive_restriction_exception",
        "notwithstanding[^.]{0,120}(?:compet|exclusiv|solicit)|(?:shall|will) not (?:prevent|\
            restrict|prohibit|preclude)",
    ),
    (
        "no_solicit_of_employees",
        r"solicit[^.]{0,80}(?:employ|personnel|staff)|(?:hire|employ)[^.]{0,60}employees? of",
    ),
    (
        "non_disparagement",
        r"disparag|derogatory|defamatory|negative(?:ly)? (?:statement|comment|remark)",
    ),
    (
        "termination_for_convenience",
        "terminat[^.]{0,100}(?:for (?:any reason|convenience|no reason)|without cause|\
         at any time)",
    ),
    (
        "rofr_rofo_rofn",
        "right of first (?:refusal|offer|negotiation)|first right to (?:negotiate|purchase|offer|\
            acquire)|\\brof[ron]\\b",
    ),
    (
        "change_of_control",
        "change (?:of|in) (?:the )?control|merger|consolidat|\
            sale of (?:all or )?substantially all|controlling interest|voting (?:securities|stock|\
            power)",
    ),
    (
        "anti_assignment",
        r"\bassign|delegat|transfer[^.]{0,40}(?:this agreement|its rights)",
    ),
    (
        "revenue_profit_sharing",
        "royalt|revenue[- ]shar|profit[- ]shar|percent(?:age)? of (?:net |gross )?(?:revenue|\
            sales|profit|receipts)|commission",
    ),
    (
        "price_restrictions",
        "(?:increase|raise|change|adjust)[^.]{0,40}(?:price|fee|rate)s?|price (?:increase|\
            protection|adjustment)|fixed (?:price|for)",
    ),
    (
        "minimum_commitment",
        "minimum (?:purchase|order|quantit|volume|commitment|annual|amount|fee|royalt|payment)|\
            at least[^.]{0,40}(?:units|per (?:year|month|quarter|annum))",
    ),
    (
        "volume_restriction",
        "(?:exceed|in excess of)[^.]{0,60}(?:units|users|volume|usage|limit|quantit)|\
            maximum (?:number|quantity|volume)|additional (?:fees?|charges?) for",
    ),
    (
        "ip_ownership_assignment",
        "assigns?[^.]{0,80}(?:right, title and interest|intellectual property)|(?:become|\
            be) the (?:sole |exclusive )?property|work (?:made )?for hire|shall (?:solely |\
            exclusively )?own",
    ),
    (
        "joint_ip_ownership",
        "joint(?:ly)? own|co-?own|jointly (?:developed|created|invented)|\
            joint (?:intellectual property|ip|invention|work product)",
    ),
    (
        "license_grant",
        r"grants?[^.]{0,100}licen[cs]e|hereby licen[cs]es|licen[cs]e (?:to|under)",
    ),
    (
        "non_transferable_license",
        "non-?transferable|non-?sublicens|not (?:be )?(?:transfer|sublicens|\
            assign)[^.]{0,40}licen[cs]e|without the right to sublicen",
    ),
    (
        "affiliate_license_licensor",
        r"(?:licensor|its|their) affiliates?[^.]{0,80}(?:grant|licen[cs]e|intellectual property)",
    ),
    (
        "affiliate_license_licensee",
        "(?:licensee|its|their) (?:and its )?affiliates?[^.]{0,80}(?:licen[cs]e|use|sublicen)|\
            sublicen[cs][^.]{0,40}affiliate",
    ),
    (
        "unlimited_license",
        "unlimited (?:number|use|copies|users|licen)|enterprise[- ]wide|all you can eat|\
            any number of (?:copies|users|sites)",
    ),
    ("irrevocable_or_perpetual_license", r"irrevocabl|perpetual"),
    ("source_code_escrow", r"escrow|source code"),
    (
        "post_termination_services",
        "(?:after|following|upon) (?:the )?(?:termination|expiration|expiry)[^.]{0,100}(?:shall|\
            continue|transition|wind|return|sell|deliver)|transition (?:period|services|\
            assistance)|sell[- ]off",
    ),
    (
        "audit_rights",
        "audit|inspect[^.]{0,40}(?:books|records|facilit|premises)|books and records|\
            examin[^.]{0,40}records",
    ),
    (
        "uncapped_liability",
        "(?:shall|does|will) not (?:apply|limit)[^.]{0,100}(?:indemnif|gross negligence|willful|\
            wilful|confidential)|unlimited liability|\
            exclu[^.]{0,30}from (?:the )?(?:foregoing )?limitation",
    ),
    (
        "cap_on_liability",
        "(?:aggregate|total|maximum|cumulative|entire) liability|(?:shall|will) (?:not|\
            in no event) exceed|in no event[^.]{0,80}liab|limited to (?:the )?(?:amount|fees|sums)",
    ),
    (
        "liquidated_damages",
        "liquidated damages|(?:termination|cancellation|break[- ]?up|early termination) (?:fee|\
            charge|payment)|\\bpenalt",
    ),
    (
        "warranty_duration",
        r"warrant[^.]{0,160}(?:period of|for a period|months|years|days) |warranty period",
    ),
    (
        "insurance",
        r"insurance|insured|insurer|underwriter|policy limits",
    ),
    (
        "covenant_not_to_sue",
        "not (?:to )?(?:challenge|contest|sue|attack|oppose)|covenant not to sue|\
            validity of[^.]{0,60}(?:trademark|patent|mark|intellectual)",
    ),
    (
        "third_party_beneficiary",
        "third[- ]party beneficiar|intended beneficiar|no (?:third|other) (?:party|\
            person)[^.]{0,80}(?:right|benefit|enforce)|for the (?:sole )?benefit of",
    ),
];

static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(CUES.iter().map(|(_, pattern)| format!("(?i){pattern}")))
        .expect("valid cue patterns")
});

/// The categories whose cues a sentence matches.
pub fn matches(sentence: &str) -> impl Iterator<Item = &'static str> {
    SET.matches(sentence).into_iter().map(|i| CUES[i].0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cue_names_a_category_of_the_taxonomy() {
        for (category, _) in CUES {
            assert!(crate::taxonomy::category(category).is_some(), "{category}");
        }
        assert_eq!(SET.len(), CUES.len());
    }

    #[test]
    fn cues_find_the_wording_of_their_clauses() {
        let found: Vec<_> =
            matches("Licensee shall not disparage Licensor or its products.").collect();
        assert_eq!(found, ["non_disparagement"]);
        let found: Vec<_> =
            matches("Company may audit the books and records of Distributor.").collect();
        assert!(found.contains(&"audit_rights"), "{found:?}");
    }
}
