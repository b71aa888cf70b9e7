//! Tests on real openings of contracts. Snippets marked "doctypes" are EDGAR exhibits from the
//! LexPredict doctypes samples (CC BY-SA 4.0); "CUAD" from CUAD v1 by The Atticus Project
//! (CC BY 4.0); "ContractNLI" from the ContractNLI dataset (CC BY 4.0). Each is the opening of
//! the named document, unchanged but cut short. Texts marked "written for this test" are ours.

use super::*;

/// doctypes edgar-0fe4659f30 ("CREDIT AGREEMENT", Weingarten Realty Investors), CC BY-SA 4.0.
const CREDIT: &str = "\
    CREDIT AGREEMENT\n\n\nThis  Credit  Agreement  is  executed  by  the  parties  hereto  \
    on\n___________________,  but  is effective as of the Effective Date (as hereinafter\n\
    defined).  Weingarten  Realty  Investors,  a  Texas real estate investment trust\n(the  \
    \"Borrower\"), Bank of America, N.A., a national banking association (in its\nindividual \
    capacity \"BOA\") and any bank that may hereafter become a party hereto\nin  accordance  \
    with  the  provisions  hereof  (each  individually, a \"Bank\" and\ncollectively,  the  \
    \"Banks\"),  and BOA as Agent hereunder (in such capacity, the\n\"Agent\")  for  the  \
    Banks  hereunder,  hereby  agree  as  follows:\n\n\nARTICLE  I\n\nDEFINITIONS  AND  \
    ACCOUNTING  TERMS\n\nSECTION  I.1.  Certain Defined Terms. As used in this Credit";

/// doctypes edgar-05ec191f98 ("EMPLOYMENT AGREEMENT", Who's Your Daddy, Inc.), CC BY-SA 4.0.
const EMPLOYMENT: &str = "\
    EMPLOYMENT AGREEMENT\n\nThis\nEMPLOYMENT AGREEMENT (the “Agreement”)\nis made effective \
    as of December 16, 2005 (the “Effective Date”),\nby and between Who’s Your Daddy, Inc., \
    a Nevada corporation (the “Company”),\nand David Mitchell Lolis (the “Executive”). The \
    Company and\nthe Executive are hereinafter collectively referred to as the “Parties,”\n\
    and individually referred to as a “Party.”\n\nRECITALS\n\nA. The Company desires \
    assurance of the\nassociation and services of the Executive in order to retain the \
    Executive’s\nexperience, skills, abilities, background and knowledge, and is willing to\n\
    engage the Executive’s services on the terms and conditions set forth in this\n\
    Agreement.\n\nB.\u{a0}The Executive desires to be in the\nemploy of the Company, and is \
    willing to";

/// doctypes edgar-56975b4504 (filed as a severance agreement), CC BY-SA 4.0.
const SEVERANCE: &str = "\
    EXHIBIT 10.34\n\nSEPARATION AGREEMENT AND GENERAL RELEASE\n\n\n\n\nSEPARATION AGREEMENT \
    AND GENERAL RELEASE (“Agreement”) made and executed this 25th day of June, 2010 by and \
    between FORD F. GRAHAM (“Employee”) of 260 PROSPECT AVE, PRINCETON, NEW JERSEY, 08540 \
    and MILLER PETROLEUM, INC. (“Employer”), a Tennessee Corporation with its principal \
    place of business at 3651 BAKER HWY, HUNTSVILLE, TENNESSEE 37756.\n\nW I T N E S S E T \
    H\n\nWHEREAS, Employee has been employed by the Employer since December 10, 2009;\n\n\
    WHEREAS, Employer and Employee wish to terminate the employment relationship and \
    Employee’s principal duties;\n\nWHEREAS, by executing this Agreement the Employee \
    confirms his knowing and voluntary acceptance of the terms of his separation from \
    employment by Employer pursuant to the terms hereof; and\n\nNOW, THEREFORE, in \
    consideration of the premises and mutual promises herein contained, and";

/// doctypes edgar-6cf2d57a15 (a supplemental executive retirement plan), CC BY-SA 4.0.
const BENEFIT_PLAN: &str = "\
    AMERICAN COMMUNITY BANCSHARES, INC.\nSUPPLEMENTAL\nEXECUTIVE RETIREMENT PLAN\nEffective \
    October\u{a0}1, 2007\n\n\n\n\n\n\n\nAMERICAN COMMUNITY BANCSHARES, INC.\nSUPPLEMENTAL \
    EXECUTIVE RETIREMENT PLAN\nThis is the American Community\nBancshares, Inc. Supplemental \
    Executive Retirement Plan (the “Plan”), as adopted effective October\u{a0}1, 2007. The \
    Plan is intended to provide selected executives of American Community Bancshares, Inc. \
    (the\n“Company”) with supplemental retirement benefits that are reflective of their \
    special contributions to the success of the Company and that are competitive with the \
    compensation of similarly-situated executive positions.\n\nThis Plan is intended to be \
    an unfunded plan maintained by the Company primarily for the purpose of providing \
    deferred compensation for a select group\nof management or highly compensated employees \
    as described in sections 201(2), 301(3) and 401(1) of the";

/// doctypes (National Steel galvanizing line construction contract, 1998), CC BY-SA 4.0.
const CONSTRUCTION: &str = "\
    NO. 1 CONTINUOUS\nGALVANIZING LINE\nTURNKEY ENGINEERING AND\nCONSTRUCTION CONTRACT\n\n\n\n\
    BY AND BETWEEN\n\nNATIONAL STEEL CORPORATION,\nGREAT LAKES DIVISION\n\nAND\n\nNKK STEEL \
    ENGINEERING, INC.\n\n\n\nDATED\n\n\nOCTOBER 23, 1998\n<PAGE>\n\nNO. 1 CONTINUOUS \
    GALVANIZING LINE\nTURNKEY ENGINEERING AND CONSTRUCTION CONTRACT\n\nMade this 23rd day of \
    October, 1998, by and between NATIONAL STEEL\nCORPORATION, Great Lakes Division, a \
    Delaware corporation with its office at\n4100 Edison Lakes Parkway, Mishawaka, Indiana \
    46545 (\"NATIONAL\"), and NKK STEEL\nENGINEERING, INC., a Delaware corporation with its \
    office at 910 Sheraton Drive,\nSuite 400, Mars, PA 16046-9414 (\"CONTRACTOR\").\n\n\n\
    RECITALS\n\nA.  NATIONAL desires to retain CONTRACTOR to provide the engineering,\n\
    design, construction, installation, supply, supervision, execution and start-up\nof a \
    complete and operable continuous galvanizing facility on an all-inclusive\n\"turnkey\" \
    basis, as more specifically described in the CONTRACT DOCUMENTS (as\nthat term is \
    defined in";

/// doctypes edgar-0f204abc21 ("SOFTWARE LICENSE AGREEMENT", GSE Process Solutions), CC BY-SA 4.0.
const SOFTWARE_LICENSE: &str = "\
    Exhibit 99.2\nSOFTWARE LICENSE AGREEMENT\n\nThis Software License Agreement (this \
    \"Agreement\") dated as of November 10,\n1998,  is entered  into by and between GSE \
    PROCESS  SOLUTIONS,  INC., a Delaware\ncorporation  (\"GSE\") and THE SAGE SYSTEMS  \
    DIVISION of VALMET  AUTOMATION  (USA)\nINC., 7000 Hollister, Houston, TX, a Delaware \
    corporation (\"Valmet USA\") and THE\nSAGE SYSTEMS DIVISION of VALMET  AUTOMATION  \
    (CANADA) LTD., 10333 Southport Road\nS.W.,  Calgary,  AB a Canadian  Corporation  \
    (\"Valmet  Canada\")  (Valmet USA and\nValmet Canada shall be collectively referred to \
    as \"LICENSEE\").\n\nWHEREAS,  GSE and Valmet USA have entered into the Asset Purchase \
    Agreement\n(as defined herein);\n\nWHEREAS, pursuant to the Asset Purchase Agreement, \
    Valmet USA is purchasing\ncertain assets of GSE's oil & gas";

/// doctypes edgar-0149a35ecb ("AMENDMENT NO. 2 TO EMPLOYMENT AGREEMENT"), CC BY-SA 4.0.
const AMENDMENT_TO_EMPLOYMENT: &str = "\
    EXHIBIT 10.2\nAMENDMENT NO.\u{a0}2 TO\nEMPLOYMENT\nAGREEMENT\nTHIS AMENDMENT NO.\u{a0}2 \
    TO\nEMPLOYMENT AGREEMENT dated as of July\u{a0}20, 2006 (this “Amendment”), is entered \
    into by and between Trevor Drinkwater (hereinafter called “Employee”), and Genius\n\
    Products, Inc. (hereinafter the “Employer”), with reference to the following:\nRECITALS\n\
    WHEREAS, Employee and Employer entered into\nthat certain Employment Agreement made as \
    of July\u{a0}26, 2005 (the “Employment Agreement”);\nWHEREAS, Employee and Employer \
    entered into that certain Employment Agreement Amendment made as of December\u{a0}5, \
    2005 (the “First Amendment”);\nWHEREAS, Employer and The Weinstein Company LLC, a \
    Delaware limited liability company and The";

/// doctypes edgar-0222b3db19 (amendment to a restated credit agreement), CC BY-SA 4.0.
const AMENDMENT_TO_RESTATED_CREDIT: &str = "\
    Exhibit 4.1\n\n\n\nEXECUTION\nVERSION\n\n\n\nAMENDMENT\nNO. 5 TO THE\n\nSECOND\nAMENDED \
    AND RESTATED CREDIT AGREEMENT\n\n\n\n\n\n\n\n\nDated\nJanuary 18, 2008, but effective as \
    of December 28, 2007\n\n\n\nAMENDMENT\nNO. 5 TO THE SECOND AMENDED AND RESTATED CREDIT \
    AGREEMENT (this “Amendment”) among\nChesapeake Corporation, a Virginia corporation (the \
    “U.S. Borrower”),\nChesapeake U.K. Holdings Limited, Chesapeake U.K. Acquisitions plc, \
    Boxmore\nInternational Limited, Chesapeake plc (formerly known as Field Group plc)\n\
    (collectively, the “U.K. Borrowers”), the\nbanks, financial institutions and other \
    institutional lenders party to the\nCredit Agreement referred to below (collectively, \
    the “Lenders”) and\nWachovia Bank, National Association, as administrative agent for the \
    Lenders\n(in\nsuch capacity, the “Administrative\nAgent”).\n\n\n\nPRELIMINARY\n\
    STATEMENTS:\n\n\n\nWHEREAS,\nthe U.S. Borrower, the U.K. Borrowers, the Lenders, the";

/// doctypes edgar-4228fe3099 (an amended and restated software licence), CC BY-SA 4.0.
const RESTATED_LICENSE: &str = "\
    Exhibit 99.21\n\n\n\n\n\nAMENDED AND RESTATED SIMON SOFTWARE LICENSE\nAGREEMENT\n\n\n\n\n\n\
    This AMENDED AND RESTATED SOFTWARE\nLICENSE AGREEMENT (the “Agreement”) is dated as of \
    February\u{a0}1,\n2006 (the “Effective Date”) and is made by and between ROCKY\nMOUNTAIN \
    SUPPORT SERVICES, INC., an Arizona corporation, (“RMSS”)\nand FIDELITY NATIONAL TAX \
    SERVICE, INC., a\nCalifornia corporation (“Licensee”).\n\n\n\n\n\nWHEREAS,\nthe parties \
    previously entered into a SIMON Software License Agreement dated as\nof March\u{a0}4, \
    2005 (the “Prior License Agreement”) with respect to the use\nof certain software and \
    the provision of certain services, as more fully\ndescribed herein; and\n\n\n\n\n\n\
    WHEREAS,\nin connection with the consummation of the transactions contemplated by the\n\
    Agreement and Plan of Merger dated as of September\u{a0}14, 2005 (as";

/// ContractNLI dev split (Nimble Storage and Hewlett Packard Enterprise), CC BY 4.0.
const NDA: &str = "\
    Exhibit (e)(3)\nMUTUAL NONDISCLOSURE AGREEMENT\nThis MUTUAL NONDISCLOSURE AGREEMENT \
    (this “Agreement”) is made as of November 17, 2016, by and between Nimble Storage, Inc. \
    a corporation organized under the laws of Delaware (the “Company”), and Hewlett Packard \
    Enterprise Company, a Delaware corporation (“HPE”).\nHPE is evaluating forms of a \
    potential transaction with respect to the Company (a “Transaction”), in connection with \
    which each may disclose certain information, including Confidential 1nformation (as \
    defined below), to the other. As a condition to such information being furnished to each \
    party, its affiliates, its subsidiaries and other individuals and entities controlled, \
    directly or indirectly, by such party (“Affiliates”), and the respective directors, \
    employees, consultants, accountants, attorneys and advisors of such party and its \
    Affiliates with which such party has entered";

/// CUAD cuad-5c1512642f (Kubient and The Associated Press), CC BY 4.0.
const MASTER_SERVICES: &str = "\
    Exhibit 10.14 MASTER SERVICES AGREEMENT This Master Services Agreement (the \
    \"Agreement\"), dated as of the 5th day of February, 2020 (the \"Effective Date\"), is \
    by and between Kubient Inc., with offices located at 330 7th Avenue, 10th Floor, New \
    York, NY 10001 (\"Kubient\") and The Associated Press, a New York not-for-profit \
    corporation with principal place of business located at 200 Liberty Street, New York, NY \
    10281 (the \"Customer\"). Each of Customer and Kubient may be referred to herein \
    individually as a \"Party\" and collectively as the \"Parties\". WHEREAS, Customer \
    wishes to increase the revenue derived from its traffic, content, websites, \
    applications, podcasts, audience and database, and would like to retain Kubient to \
    support and assist in that process as described herein; For good and";

/// CUAD cuad-e82ac8bfe4, from its statement of work (Pelican Delivers), CC BY 4.0.
const STATEMENT_OF_WORK: &str = "\
    STATEMENT OF WORK - APPENDIX A This Statement of Work is issued to and made part of \
    that Software Development Agreement executed by and between Developer and Client on the \
    Effective Date (the Agreement). Any word or phrase not otherwise defined in this \
    Appendix will have the meaning ascribed in the Agreement.\n\n1. Project Overview The \
    purpose of this project is to develop additional features for the Pelican Delivers \
    software. This includes POS integration, Google Maps API, payment processing features, \
    ID verification, reporting, driver app improvement and workflow, and a front facing web \
    application for customers to find, order, and receive products via deliver or pickup.\n\n\
    2. Specifications Number of applications included in Phase 1:1 Tech Stack:";

/// CUAD cuad-a197759940 (B & C General Warehouse Corporation), CC BY 4.0; the filing's run of
/// X's that hides the distributor's name is written here as "[redacted]".
const DISTRIBUTOR: &str = "\
    Exhibit 6.1 DISTRIBUTOR AGREEMENT THIS DISTRIBUTOR AGREEMENT (this \"Agreement\") is \
    made and effective as of1 August 2019, by and between, B & C General Warehouse \
    Corporation LLC , a USA Limited Liability Company (LLC), with an address located at 7405 \
    SW 11th CT, North Lauderdale, FL, 33068, USA, (\"Company\"), and [redacted] \
    (\"Distributor\"). Company Import the products from Brazil Farm origin (Arte Café - \
    Prescafe Torrefação e Comercio de Cafe, a Brazil company, with an address located at 1 \
    Fazenda Sao Gabriel, Guaxupé, Cep 37800-000, Minas Gerais, Brazil), and sells the \
    products listed in Section 1.c below (the \"Products\"). Distributor desires to purchase \
    the Products from Company for resale in the territories or geographic areas as defined \
    in Section 1.b (the \"Territory\").";

/// CUAD cuad-78d903ef33 (Reynolds Consumer Products and Pactiv), CC BY 4.0.
const SUPPLY: &str = "\
    Exhibit 10.18\n\nMASTER SUPPLY AGREEMENT\n\nMASTER SUPPLY AGREEMENT (the \"Agreement\") \
    dated November 1, 2019 (the \"Effective Date\") between REYNOLDS CONSUMER PRODUCTS LLC, \
    a Delaware limited liability company with its headquarters at 1900 West Field Court, \
    Lake Forest, IL 60045 (\"Seller\"), and PACTIV LLC, a Delaware limited liability company \
    with its headquarters at 1900 West Field Court, Lake Forest, IL 60045 (\"Buyer\"). \
    Seller and Buyer are referred to individually at times as a \"Party\" and collectively \
    at times as the \"Parties\".\n\nBACKGROUND\n\nA. Seller sells various types of products \
    used in the consumer and food service markets.\n\nB. Buyer sells various types of \
    products, including certain products of the type made by Seller, to its customers.\n\nC. \
    The Parties are entering into this";

/// CUAD cuad-c558ed2195 (Bosch International and Bosch Technologies), CC BY 4.0.
const STRATEGIC_ALLIANCE: &str = "\
    EXHIBIT 10.02 STRATEGIC ALLIANCE AGREEMENT THIS AGREEMENT is made on this 1st day of \
    December, 2015 by and between BOSCH INTERNATIONAL, LLC, a Nevada Limited Liability \
    Company located at 3753 Howard Hughes Pkwy #200 Las Vegas NV 89169 (hereinafter \
    \"CLIENT\"), and BOSCH TECHNOLOGIES, LLC, a Nevada Limited Liability Company located at \
    6795 Edmonds Street 3rd Floor, Las Vegas, NV 89118 (hereinafter \"BOSCH\"). 1. PARTIES: \
    a) BOSCH TECHNOLOGIES, LLC (\"BOSCH\"); and b) BOSCH INTERNATIONAL, LLC (\"CLIENT\") 2. \
    STRATEGIC ALLIANCE: Title of this relationship and agreement between BOSCH and CLIENT \
    are detailed as follows: Both CLIENT and BOSCH act as two separate and individual \
    companies operating independently of each other. BOSCH and CLIENT do not have any \
    controlling interest of each other and are";

/// CUAD cuad-9696edb953 (Global Technologies), CC BY 4.0.
const CONSULTING: &str = "\
    Exhibit 10.16 CONSULTING AGREEMENT This Consulting Agreement (the \"Agreement\") is \
    made and entered into as of this 2nd day of January 2020, by and between Global \
    Technologies, Ltd (hereinafter the \"Company\"), a Delaware corporation whose address is \
    501 1st Ave N., Suite 901, St. Petersburg, FL 33701 and Timothy Cabrera (hereinafter the \
    \"Consultant\"), an individual whose address is 11718 SE Federal Hwy., Suite 372, Hobe \
    Sound, FL 33455 (individually, a \"Party\"; collectively, the \"Parties\"). This \
    Agreement is non-exclusive. RECITALS WHEREAS, the Company has asked to retain Consultant \
    to provide various services to the Company as agreed to by both parties and outlined in \
    Section 3; and WHEREAS, the Consultant has advised the Company of its willingness and \
    desire to provide such services as";

/// CUAD cuad-c3306a8412 (an amendment to a wireless content licence), CC BY 4.0.
const AMENDMENT_NO_3: &str = "\
    AMENDMENT NO. 3\n\nDated as of February 19, 2007\n\nReference is hereby made to that \
    certain fully executed Wireless Content License Agreement Number 12965 dated as of \
    December 16, 2004, as amended November 11, 2005 and March 27, 2006 (the \"Agreement\"), \
    between Fox Mobile Entertainment, Inc. (\"Fox\"), as Administrator for Twentieth Century \
    Fox Film Corporation, and Glu Mobile Inc. (\"Licensee\").\n\nThe parties agree to modify \
    the Agreement as follows:\n\n1. EXTENSION OF TERM: The first paragraph of Section 4 of \
    the Agreement is hereby deleted in its entirety and replaced with the following:\n\n  \
    \"TERM: The rights granted hereunder shall be effective as of the Effective Date and \
    shall expire on";

/// Written for this test: no lease is among the datasets.
const LEASE: &str = "\
    OFFICE LEASE\n\nThis Office Lease (this \"Lease\") is made as of March 1, 2024 \
    between Harbor Point Properties LLC (\"Landlord\") and Bluefin Analytics, Inc. \
    (\"Tenant\"). Landlord hereby leases to Tenant, and Tenant hereby leases from Landlord, \
    the premises known as Suite 400, containing approximately 5,200 rentable square feet (the \
    \"Premises\"), for a term of five years. Tenant shall pay Base Rent in monthly \
    installments in advance on the first day of each month, together with Tenant's share of \
    operating expenses and real estate taxes. Tenant shall deposit with Landlord a security \
    deposit of $25,000 upon execution of this Lease.";

/// Written for this test: a news report about a deal, full of deal words but no agreement.
const NEWS: &str = "Harbour Logistics said on Tuesday it had agreed to buy a regional rail \
    freight operator for about 240 million euros, its third acquisition this year. The deal, \
    which still needs approval from competition authorities, would give the company access to \
    inland terminals in the north of the country. Chief executive Maria Olsen told reporters \
    the terms were fair to both sides and that the combined business would employ roughly \
    3,000 people. Shares rose 4 percent in early trading. Analysts at two brokers said the \
    price looked reasonable, although one warned that the agreement could face questions from \
    unions about job cuts.";

/// Written for this test: the opening of a French services contract.
const FRENCH: &str = "CONTRAT DE PRESTATION DE SERVICES\n\nEntre les soussignés : la société \
    Durand et Fils, société par actions simplifiée dont le siège social est situé à Lyon, \
    ci-après dénommée « le Client », et la société Martin Conseil, ci-après dénommée « le \
    Prestataire ». Il a été convenu ce qui suit. Article 1 – Objet. Le présent contrat a pour \
    objet de définir les conditions dans lesquelles le Prestataire fournit au Client des \
    services de maintenance informatique. Article 2 – Durée. Le contrat est conclu pour une \
    durée d'un an à compter de sa signature et se renouvelle par tacite reconduction, sauf \
    dénonciation par l'une des parties avec un préavis de trois mois.";

/// Written for this test: the opening of a German services contract.
const GERMAN: &str = "DIENSTLEISTUNGSVERTRAG\n\nZwischen der Müller GmbH, vertreten durch ihren \
    Geschäftsführer, nachfolgend „Auftraggeber“ genannt, und der Schmidt Beratung GmbH, \
    nachfolgend „Auftragnehmer“ genannt, wird folgender Vertrag geschlossen. § 1 \
    Vertragsgegenstand. Der Auftragnehmer erbringt für den Auftraggeber Leistungen im Bereich \
    der Softwarewartung. Die Einzelheiten ergeben sich aus der Leistungsbeschreibung in Anlage \
    1. § 2 Vertragsdauer. Der Vertrag beginnt am 1. Januar und wird auf unbestimmte Zeit \
    geschlossen. Er kann von jeder Partei mit einer Frist von drei Monaten zum Ende eines \
    Kalenderjahres gekündigt werden.";

fn assert_type(text: &str, expected: DocType) -> Classification {
    let c = classify(text);
    assert!(c.is_contract, "not a contract: {:?}", c.reason);
    assert_eq!(
        c.doc_type, expected,
        "scores: {:?}, title: {:?}",
        c.scores, c.title
    );
    c
}

fn title_of(c: &Classification) -> &str {
    c.title.as_ref().map_or("", |(t, _)| t.as_str())
}

#[test]
fn a_credit_agreement_that_says_so_in_its_title_is_credit_with_high_confidence() {
    let c = assert_type(CREDIT, DocType::Credit);
    assert!(c.confidence > 0.9, "confidence {}", c.confidence);
    assert_eq!(title_of(&c), "CREDIT AGREEMENT");
    assert_eq!(c.scores[0].0, DocType::Credit);
    assert!(c.scores.len() > 1 && c.scores[1].1 < 0.1);
}

#[test]
fn an_employment_agreement_is_employment() {
    let c = assert_type(EMPLOYMENT, DocType::Employment);
    assert_eq!(title_of(&c), "EMPLOYMENT AGREEMENT");
}

#[test]
fn a_separation_agreement_and_general_release_is_severance() {
    let c = assert_type(SEVERANCE, DocType::Severance);
    assert_eq!(title_of(&c), "SEPARATION AGREEMENT AND GENERAL RELEASE");
}

#[test]
fn a_supplemental_executive_retirement_plan_is_a_benefit_plan() {
    let c = assert_type(BENEFIT_PLAN, DocType::BenefitPlan);
    assert!(c.confidence > 0.9);
}

#[test]
fn a_turnkey_engineering_and_construction_contract_is_construction() {
    assert_type(CONSTRUCTION, DocType::Construction);
}

#[test]
fn a_software_license_agreement_is_a_software_license() {
    let c = assert_type(SOFTWARE_LICENSE, DocType::SoftwareLicense);
    assert_eq!(title_of(&c), "SOFTWARE LICENSE AGREEMENT");
}

#[test]
fn a_mutual_nondisclosure_agreement_is_an_nda() {
    assert_type(NDA, DocType::Nda);
}

#[test]
fn a_master_services_agreement_is_master_services() {
    assert_type(MASTER_SERVICES, DocType::MasterServices);
}

#[test]
fn a_statement_of_work_is_a_statement_of_work() {
    let c = assert_type(STATEMENT_OF_WORK, DocType::StatementOfWork);
    assert_eq!(title_of(&c), "STATEMENT OF WORK");
}

#[test]
fn a_distributor_agreement_is_distribution_with_the_title_span_cuad_marks() {
    let c = assert_type(DISTRIBUTOR, DocType::Distribution);
    let (title, span) = c.title.expect("a title");
    assert_eq!(title, "DISTRIBUTOR AGREEMENT");
    // CUAD's "Document Name" label for this contract is bytes 12..33.
    assert_eq!((span.start, span.end), (12, 33));
    assert_eq!(span.of(DISTRIBUTOR), "DISTRIBUTOR AGREEMENT");
}

#[test]
fn a_master_supply_agreement_is_purchase_and_supply() {
    assert_type(SUPPLY, DocType::PurchaseSupply);
}

#[test]
fn a_strategic_alliance_agreement_is_a_strategic_alliance() {
    assert_type(STRATEGIC_ALLIANCE, DocType::StrategicAlliance);
}

#[test]
fn a_consulting_agreement_is_consulting() {
    assert_type(CONSULTING, DocType::Consulting);
}

#[test]
fn an_office_lease_is_a_lease() {
    let c = assert_type(LEASE, DocType::Lease);
    assert_eq!(title_of(&c), "OFFICE LEASE");
}

#[test]
fn an_amendment_is_classified_as_one_and_names_the_type_it_amends() {
    let c = assert_type(AMENDMENT_TO_EMPLOYMENT, DocType::Amendment);
    assert_eq!(c.amends, Some(DocType::Employment));
    assert_eq!(title_of(&c), "AMENDMENT NO. 2 TO EMPLOYMENT AGREEMENT");
    assert_eq!(c.scores[0].0, DocType::Amendment);

    let c = assert_type(AMENDMENT_TO_RESTATED_CREDIT, DocType::Amendment);
    assert_eq!(c.amends, Some(DocType::Credit));
}

#[test]
fn an_amendment_titled_by_number_alone_takes_its_subject_from_the_opening() {
    // The amended agreement is a content licence, which the taxonomy files under `other`.
    let c = assert_type(AMENDMENT_NO_3, DocType::Amendment);
    assert_eq!(title_of(&c), "AMENDMENT NO. 3");
    assert_eq!(c.amends, Some(DocType::Other));
}

#[test]
fn amendment_titles_name_what_they_amend() {
    let amended = |title: &str| {
        let reading = cues::amendment(&cues::normalise(title)).expect("an amendment");
        reading
            .amended
            .as_deref()
            .and_then(cues::type_of)
            .map(|(t, _)| t)
    };
    assert_eq!(
        amended("Amendment No. 2 to Credit Agreement"),
        Some(DocType::Credit)
    );
    assert_eq!(amended("First Amendment to Lease"), Some(DocType::Lease));
    assert_eq!(
        amended("SIXTH AMENDMENT OF USG CORPORATION SUPPLEMENTAL RETIREMENT PLAN"),
        Some(DocType::BenefitPlan)
    );
    assert_eq!(
        amended("Endorsement Agreement Addendum I"),
        Some(DocType::Other)
    );
    assert!(cues::amendment(&cues::normalise("Amended and Restated Credit Agreement")).is_none());
    assert!(cues::amendment(&cues::normalise("General Release and Waiver")).is_none());
}

#[test]
fn an_amended_and_restated_agreement_is_its_own_type_not_an_amendment() {
    let c = assert_type(RESTATED_LICENSE, DocType::SoftwareLicense);
    assert_eq!(c.amends, None);
    assert!(title_of(&c).starts_with("AMENDED AND RESTATED"));
}

#[test]
fn title_cues_prefer_the_specific_reading_of_compound_titles() {
    let type_of = |title: &str| cues::type_of(&cues::normalise(title)).map(|(t, _)| t);
    assert_eq!(
        type_of("CONSTRUCTION LOAN AGREEMENT"),
        Some(DocType::Credit)
    );
    assert_eq!(
        type_of("Software License and Maintenance Agreement"),
        Some(DocType::SoftwareLicense)
    );
    assert_eq!(
        type_of("Employee Stock Purchase Plan"),
        Some(DocType::BenefitPlan)
    );
    assert_eq!(type_of("Stock Purchase Agreement"), Some(DocType::Other));
    assert_eq!(
        type_of("Non-Disclosure and Non-Compete Agreement"),
        Some(DocType::Nda)
    );
    assert_eq!(
        type_of("Change in Control Severance Agreement"),
        Some(DocType::Severance)
    );
}

#[test]
fn a_news_report_about_a_deal_is_not_a_contract() {
    let c = classify(NEWS);
    assert!(!c.is_contract);
    assert_eq!(c.doc_type, DocType::Other);
    let reason = c.reason.expect("a reason");
    assert_eq!(reason.kind, NotContractKind::NoContractLanguage);
    assert!(c.scores.is_empty());
}

#[test]
fn french_and_german_contracts_are_reported_as_unsupported_languages() {
    for (text, language) in [(FRENCH, "French"), (GERMAN, "German")] {
        let c = classify(text);
        assert!(!c.is_contract);
        let reason = c.reason.expect("a reason");
        assert_eq!(reason.kind, NotContractKind::UnsupportedLanguage);
        assert_eq!(reason.language, Some(language));
        assert!(reason.message.contains(language));
    }
}

#[test]
fn text_in_a_non_latin_script_is_reported_by_its_script() {
    // Written for this test: "The parties sign this agreement; party A provides software
    // maintenance to party B."
    let sentence = "本协议由双方签订，甲方向乙方提供软件维护服务。";
    let c = classify(&sentence.repeat(20));
    let reason = c.reason.expect("a reason");
    assert_eq!(reason.kind, NotContractKind::UnsupportedLanguage);
    assert_eq!(reason.language, Some("Chinese"));
}

#[test]
fn empty_and_tiny_texts_are_not_contracts() {
    let empty = classify(" \n\t ");
    assert_eq!(empty.reason.map(|r| r.kind), Some(NotContractKind::Empty));
    assert_eq!(empty.confidence, 0.0);

    let tiny = classify("CREDIT AGREEMENT dated as of May 1.");
    assert!(!tiny.is_contract);
    assert_eq!(tiny.reason.map(|r| r.kind), Some(NotContractKind::TooShort));
}

#[test]
fn a_classification_serialises_with_snake_case_types() {
    let value = serde_json::to_value(classify(CREDIT)).expect("serialisable");
    assert_eq!(value["doc_type"], "credit");
    assert_eq!(value["is_contract"], true);
    assert_eq!(value["title"][0], "CREDIT AGREEMENT");
    assert_eq!(value["scores"][0][0], "credit");
}
