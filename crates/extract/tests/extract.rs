//! Extraction of real documents, end to end: text layers, reading order, OCR of scans and
//! junk layers, DOCX numbering and tracked changes, RTF, plain text, and the page map.
//! Needs poppler-utils and tesseract-ocr with tesseract-ocr-eng installed.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::time::Duration;

use lucidity_extract::{ExtractError, Options, PageMethod, SourceKind, extract, pdf_text_pages};
use support::{char_offset, fixture, minimal_pdf, occurrences, options, word_recall};

const CUAD_PDF: &str = "cuad-0463464fa0.pdf";

/// The CUAD contract's text layer, page by page: the known text OCR is judged against.
fn cuad_pages() -> Vec<String> {
    pdf_text_pages(&fixture(CUAD_PDF)).unwrap()
}

// PDF text layers

#[tokio::test]
async fn a_text_layer_pdf_reads_its_clauses_in_order() {
    let (options, _scratch) = options();
    let nda = extract(
        &fixture("bonterms_mutual_nda_v1.pdf"),
        SourceKind::Pdf,
        &options,
    )
    .await
    .unwrap();

    assert_eq!(nda.pages.len(), 1);
    assert_eq!(nda.pages[0].method, PageMethod::TextLayer);
    let intro = char_offset(
        &nda,
        "1. Introduction. This Mutual Non-Disclosure Agreement",
    );
    let definition = char_offset(
        &nda,
        "2. Confidential Information. “Confidential Information”",
    );
    let exceptions = char_offset(&nda, "4. Exceptions.");
    assert!(intro < definition && definition < exceptions);
    assert!(
        nda.text
            .contains("a. Representatives. Recipient may disclose")
    );
    assert!(nda.warnings.is_empty(), "{:?}", nda.warnings);
}

#[tokio::test]
async fn a_cuad_contract_matches_the_dataset_text() {
    let (options, _scratch) = options();
    let contract = extract(&fixture(CUAD_PDF), SourceKind::Pdf, &options)
        .await
        .unwrap();
    let dataset_text = std::fs::read_to_string(fixture("cuad-0463464fa0.txt")).unwrap();

    assert_eq!(contract.pages.len(), 6);
    assert!(
        contract
            .pages
            .iter()
            .all(|p| p.method == PageMethod::TextLayer)
    );
    let recall = word_recall(&dataset_text, &contract.text);
    let precision = word_recall(&contract.text, &dataset_text);
    assert!(recall > 0.97, "recall {recall}");
    assert!(precision > 0.97, "precision {precision}");
    assert!(
        contract
            .text
            .contains("1.\tSolicit within the State of Nevada")
    );
}

#[tokio::test]
async fn page_of_maps_offsets_to_the_page_they_came_from() {
    let (options, _scratch) = options();
    let contract = extract(&fixture(CUAD_PDF), SourceKind::Pdf, &options)
        .await
        .unwrap();
    let pages = cuad_pages();

    for (index, page) in pages.iter().enumerate() {
        let line = page.lines().find(|l| l.trim().len() > 30).unwrap().trim();
        let offset = char_offset(&contract, line);
        assert_eq!(contract.page_of(offset), Some(index as u32 + 1), "{line}");
    }
    let last = contract.pages.last().unwrap();
    assert_eq!(last.end, contract.text.chars().count());
    assert_eq!(contract.page_of(last.end), None);
    assert!(contract.pages.windows(2).all(|w| w[0].end == w[1].start));
}

#[tokio::test]
async fn two_columns_are_read_column_by_column_without_running_headers() {
    let (options, _scratch) = options();
    let pdf = extract(&fixture("columns.pdf"), SourceKind::Pdf, &options)
        .await
        .unwrap();

    assert_eq!(pdf.pages.len(), 3);
    for page in 1..=3 {
        let left_ends = char_offset(&pdf, &format!("Left column {page} ends."));
        let right_begins = char_offset(&pdf, &format!("Right column {page} begins."));
        assert!(left_ends < right_begins, "page {page}");
        assert_eq!(pdf.page_of(right_begins), Some(page));
    }
    assert!(
        pdf.text
            .starts_with("Master Services Agreement between Acme Corp and Beta Ltd")
    );
    assert_eq!(
        occurrences(&pdf.text, "ACME Corp - Master Services Agreement"),
        0
    );
    assert_eq!(occurrences(&pdf.text, "Confidential - Page"), 0);
}

#[tokio::test]
async fn a_word_hyphenated_at_a_line_end_is_joined() {
    let (options, _scratch) = options();
    let pdf = extract(&fixture("columns.pdf"), SourceKind::Pdf, &options)
        .await
        .unwrap();

    assert!(
        pdf.text
            .contains("upon termination\nof this Agreement survive.")
    );
    assert!(!pdf.text.contains("termi-"));
}

#[test]
fn the_benchmark_entry_point_returns_every_page() {
    let pages = cuad_pages();
    assert_eq!(pages.len(), 6);
    assert!(pages[0].starts_with("EXHIBIT 10.26"));
}

#[tokio::test]
async fn a_document_longer_than_allowed_is_refused() {
    let (options, _scratch) = options();
    let options = Options {
        max_pages: 5,
        ..options
    };
    let error = extract(&fixture(CUAD_PDF), SourceKind::Pdf, &options)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            ExtractError::TooManyPages {
                pages: 6,
                max_pages: 5
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_truncated_pdf_fails_cleanly_or_reads_what_it_can() {
    let (options, scratch) = options();
    let bytes = std::fs::read(fixture(CUAD_PDF)).unwrap();
    let truncated = scratch.path().join("truncated.pdf");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();

    match extract(&truncated, SourceKind::Pdf, &options).await {
        Ok(extracted) => assert!(!extracted.warnings.is_empty() || !extracted.text.is_empty()),
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

#[tokio::test]
async fn a_page_that_makes_pdf_extract_panic_is_read_by_poppler() {
    let (options, scratch) = options();
    let sentence = "The Licensee shall pay the royalties set out in Schedule 2 within thirty days";
    let page = |n: u32| format!("BT /F1 11 Tf 72 700 Td (Page {n}. {sentence}.) Tj ET");
    let (first, second) = (page(1), page(2));
    let path = scratch.path().join("no-media-box.pdf");
    std::fs::write(&path, minimal_pdf(&[(&first, true), (&second, false)])).unwrap();

    let pdf = extract(&path, SourceKind::Pdf, &options).await.unwrap();
    assert_eq!(pdf.pages.len(), 2);
    assert!(
        pdf.page_text(1)
            .unwrap()
            .contains("Page 1. The Licensee shall pay")
    );
    assert!(
        pdf.page_text(2)
            .unwrap()
            .contains("Page 2. The Licensee shall pay")
    );
    assert!(pdf.pages.iter().all(|p| p.method == PageMethod::TextLayer));
    assert!(
        pdf.warnings
            .iter()
            .any(|w| w.contains("pdf-extract failed on 1 page(s), first page 2"))
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_pdf_is_an_error() {
    let (options, scratch) = options();
    let junk = scratch.path().join("junk.pdf");
    std::fs::write(&junk, b"%PDF-1.7\nthis is not really a pdf\n").unwrap();

    let error = extract(&junk, SourceKind::Pdf, &options).await.unwrap_err();
    assert!(matches!(error, ExtractError::PdfUnreadable), "{error}");
}

// OCR

#[tokio::test]
async fn a_junk_text_layer_and_a_scanned_page_are_read_by_ocr() {
    let (options, scratch) = options();
    let pdf = extract(&fixture("garbage-layer.pdf"), SourceKind::Pdf, &options)
        .await
        .unwrap();
    let truth = cuad_pages();

    let methods: Vec<PageMethod> = pdf.pages.iter().map(|p| p.method).collect();
    assert_eq!(
        methods,
        [PageMethod::Ocr, PageMethod::Ocr, PageMethod::TextLayer]
    );
    let page_1 = pdf.page_text(1).unwrap();
    let page_2 = pdf.page_text(2).unwrap();
    assert!(word_recall(&truth[1], &page_1) > 0.9, "{page_1}");
    assert!(word_recall(&truth[2], &page_2) > 0.9, "{page_2}");
    assert!(
        pdf.page_text(3)
            .unwrap()
            .contains("reasonable skill and care")
    );
    assert!(
        pdf.warnings
            .iter()
            .any(|w| w.starts_with("page 1: text layer unusable"))
    );
    assert_eq!(
        std::fs::read_dir(scratch.path()).unwrap().count(),
        0,
        "scratch left behind"
    );
}

#[tokio::test]
async fn a_clean_scan_is_read_with_high_word_recall() {
    let (options, _scratch) = options();
    let scan = extract(&fixture("scan-page1.png"), SourceKind::Image, &options)
        .await
        .unwrap();

    assert_eq!(scan.pages.len(), 1);
    assert_eq!(scan.pages[0].method, PageMethod::Ocr);
    let recall = word_recall(&cuad_pages()[0], &scan.text);
    assert!(recall >= 0.95, "recall {recall}");
}

#[tokio::test]
async fn scans_turned_sideways_or_upside_down_still_read() {
    let (options, _scratch) = options();
    let truth = &cuad_pages()[0];
    for name in ["scan-page1-rot90.png", "scan-page1-rot180.png"] {
        let scan = extract(&fixture(name), SourceKind::Image, &options)
            .await
            .unwrap();
        let recall = word_recall(truth, &scan.text);
        assert!(recall >= 0.9, "{name}: recall {recall}");
    }
}

#[tokio::test]
async fn each_page_of_a_multi_page_tiff_is_a_page() {
    let (options, _scratch) = options();
    let tiff = extract(&fixture("scan-3pages.tif"), SourceKind::Image, &options)
        .await
        .unwrap();
    let truth = cuad_pages();

    assert_eq!(tiff.pages.len(), 3);
    for (index, page) in tiff.pages.iter().enumerate() {
        assert_eq!(page.method, PageMethod::Ocr);
        let text = tiff.page_text(page.number).unwrap();
        let recall = word_recall(&truth[index], &text);
        assert!(recall >= 0.9, "page {}: recall {recall}", page.number);
    }
    let offset = char_offset(&tiff, "MICOA");
    assert_eq!(tiff.page_of(offset), Some(1));
}

#[tokio::test]
async fn an_image_larger_than_the_pixel_limit_is_refused() {
    let (options, _scratch) = options();
    let options = Options {
        max_ocr_pixels: 1_000_000,
        ..options
    };
    let error = extract(&fixture("scan-page1.png"), SourceKind::Image, &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ExtractError::ImageTooLarge { page: 1, .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_cancelled_extraction_leaves_no_scratch_files() {
    let (options, scratch) = options();
    let path = fixture("garbage-layer.pdf");
    let cancelled = tokio::time::timeout(
        Duration::from_millis(400),
        extract(&path, SourceKind::Pdf, &options),
    )
    .await;

    assert!(
        cancelled.is_err(),
        "OCR of two pages should take longer than 400 ms"
    );
    assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 0);
}

// DOCX

#[tokio::test]
async fn docx_numbering_is_rendered_before_its_paragraphs() {
    let (options, _scratch) = options();
    let psa = extract(
        &fixture("commonpaper_professional_services_agreement.docx"),
        SourceKind::Docx,
        &options,
    )
    .await
    .unwrap();

    assert!(psa.text.contains("1. Services\n"), "heading 1");
    assert!(
        psa.text
            .contains("1.1 Providing Services. Customer or its Affiliates may enter SOWs")
    );
    assert!(psa.text.contains("2.4 Third-Party Materials."));
    assert!(
        psa.text
            .contains("(a) Provider may incorporate Third-Party Materials")
    );
    let services = char_offset(&psa, "1. Services");
    let ip = char_offset(&psa, "2. Intellectual Property");
    assert!(services < ip);
}

#[tokio::test]
async fn docx_tables_headers_and_footers_appear_once() {
    let (options, _scratch) = options();
    let psa = extract(
        &fixture("commonpaper_professional_services_agreement.docx"),
        SourceKind::Docx,
        &options,
    )
    .await
    .unwrap();

    assert!(psa.text.starts_with("[Header]"));
    assert_eq!(occurrences(&psa.text, "Cloud Service Standard Terms"), 1);
    let footer =
        "Common Paper Professional Services Agreement (Version 1.1) free to use under CC BY 4.0.";
    assert_eq!(occurrences(&psa.text, footer), 1);
    assert!(
        psa.text
            .contains("Payment Period Time frame for Customer to pay invoices\t{payment_terms}")
    );
    assert!(!psa.has_tracked_changes);
}

#[tokio::test]
async fn docx_tracked_changes_read_as_accepted() {
    let (options, _scratch) = options();
    let docx = extract(&fixture("tracked-changes.docx"), SourceKind::Docx, &options)
        .await
        .unwrap();

    assert!(docx.has_tracked_changes);
    assert!(
        docx.text.contains(
            "2.1 The Customer shall pay each invoice within thirty (30) days of receipt."
        )
    );
    assert!(!docx.text.contains("sixty"));
}

#[tokio::test]
async fn docx_comments_are_flagged_but_not_inserted() {
    let (options, _scratch) = options();
    let docx = extract(&fixture("tracked-changes.docx"), SourceKind::Docx, &options)
        .await
        .unwrap();

    assert!(docx.has_comments);
    assert!(docx.text.contains("2.2 Interest accrues on late payments."));
    assert!(!docx.text.contains("Reviewer note"));
}

#[tokio::test]
async fn docx_structure_survives_as_text() {
    let (options, _scratch) = options();
    let docx = extract(&fixture("tracked-changes.docx"), SourceKind::Docx, &options)
        .await
        .unwrap();
    let text = &docx.text;

    assert!(
        text.starts_with(
            "[Header] ACME DRAFT HEADER\n\nMaster Services Agreement\n\n1. Definitions"
        )
    );
    assert!(text.contains("1.1 “Services” means the services in Schedule 1."));
    assert!(text.contains("(a) by bank transfer; or\n\n(b) by cheque."));
    assert!(text.contains("Party\tAddress\nSupplier Ltd\t1 High Street London"));
    assert!(text.contains("Page 1\n\nSigned:\tJane Doe\nDate:"));
    assert!(!text.contains("PAGE"));
    assert!(text.ends_with("[Footer] Footer text 2024"));
}

#[tokio::test]
async fn docx_page_breaks_start_pages_and_restarted_lists_count_again() {
    let (options, _scratch) = options();
    let docx = extract(&fixture("tracked-changes.docx"), SourceKind::Docx, &options)
        .await
        .unwrap();

    assert_eq!(docx.pages.len(), 2);
    let schedule = char_offset(&docx, "Schedule 1\n");
    assert_eq!(docx.page_of(schedule), Some(2));
    assert!(
        docx.text
            .contains("1. The Services are consulting services.\n\n2. Second item")
    );
    assert!(docx.pages.iter().all(|p| p.method == PageMethod::Native));
}

// RTF and plain text

#[tokio::test]
async fn rtf_text_keeps_paragraphs_tables_and_pages() {
    let (options, _scratch) = options();
    let rtf = extract(&fixture("sample.rtf"), SourceKind::Rtf, &options)
        .await
        .unwrap();
    let text = &rtf.text;

    assert!(
        text.starts_with("[Header] Draft header text\n\nSupply Agreement\n\n1.\tThe “Supplier”")
    );
    assert!(text.contains("the Buyer’s premises."));
    assert!(text.contains("Prices are in euros (€) and include café deliveries."));
    assert!(text.contains("Signed:\tJane Doe\nDate:"));
    assert!(text.contains("Party\tAddress\nSupplier GmbH\tHauptstraße 1"));
    assert!(!text.contains("Hidden") && !text.contains("Reviewer comment"));
    assert!(rtf.has_comments);
    assert_eq!(rtf.pages.len(), 2);
    assert_eq!(rtf.page_of(char_offset(&rtf, "Schedule 1")), Some(2));
}

#[tokio::test]
async fn plain_text_pages_split_at_form_feeds() {
    let (options, _scratch) = options();
    let txt = extract(&fixture("sample.txt"), SourceKind::Txt, &options)
        .await
        .unwrap();

    assert!(
        txt.text
            .starts_with("Page one of the plain text contract.\nIt has two lines.")
    );
    assert_eq!(txt.pages.len(), 3);
    assert_eq!(txt.page_of(char_offset(&txt, "Page two")), Some(2));
    assert_eq!(txt.page_of(char_offset(&txt, "Page three")), Some(3));
    assert!(txt.pages.iter().all(|p| p.method == PageMethod::Native));
}

#[tokio::test]
async fn an_invalid_ocr_language_is_refused_before_any_work() {
    let (options, _scratch) = options();
    let options = Options {
        tesseract_lang: "-l eng".into(),
        ..options
    };
    let error = extract(&fixture("sample.txt"), SourceKind::Txt, &options)
        .await
        .unwrap_err();
    assert!(matches!(error, ExtractError::InvalidOptions(_)));
}
