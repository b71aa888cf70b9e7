//! Upload validation against real files: valid documents and images of every kind pass, and
//! every rule refuses its malformed fixture with its own `Rejection` and a specific message.
//! The fixtures and how they are made are in `tests/fixtures/` (see its NOTICE.md).

use std::path::{Path, PathBuf};

use lucidity_ingest::{
    FileKind, Limits, Rejection, Validated, detect, sanitize_filename, validate,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn validate_with(name: &str, claimed: &str, limits: &Limits) -> Result<Validated, Rejection> {
    validate(&fixture(name), claimed, &FileKind::ALL, limits)
}

fn accept(name: &str, claimed: &str) -> Validated {
    validate_with(name, claimed, &Limits::default())
        .unwrap_or_else(|rejection| panic!("{name} as {claimed} was refused: {rejection}"))
}

fn reject_with(name: &str, claimed: &str, limits: &Limits) -> Rejection {
    match validate_with(name, claimed, limits) {
        Ok(validated) => panic!("{name} as {claimed} was accepted: {validated:?}"),
        Err(rejection) => rejection,
    }
}

fn reject(name: &str, claimed: &str) -> Rejection {
    reject_with(name, claimed, &Limits::default())
}

/// Asserts the variant and that the user-facing message says what it should.
macro_rules! assert_rejection {
    ($rejection:expr, $pattern:pat, $status:expr, $detail:expr) => {{
        let rejection = $rejection;
        assert!(
            matches!(rejection, $pattern),
            "unexpected rejection: {rejection:?}"
        );
        assert_eq!(rejection.status(), $status, "status of {rejection:?}");
        let message = rejection.to_string();
        assert!(
            message.contains($detail),
            "message {message:?} lacks {:?}",
            $detail
        );
    }};
}

// ---- Files that pass ------------------------------------------------------------------------

#[test]
fn a_real_word_document_passes_as_docx() {
    let validated = accept("bonterms-psa.docx", "Bonterms PSA.docx");
    assert_eq!(validated.kind, FileKind::Docx);
    assert_eq!(validated.page_count, None);
}

#[test]
fn a_minimal_word_document_passes_as_docx() {
    assert_eq!(accept("minimal.docx", "nda.DOCX").kind, FileKind::Docx);
}

#[test]
fn a_real_pdf_passes() {
    assert_eq!(
        accept("bonterms-nda-page1.pdf", "Mutual NDA.pdf").kind,
        FileKind::Pdf
    );
}

#[test]
fn a_pdf_with_a_classic_xref_table_passes() {
    let validated = accept("hand-written.pdf", "nda.pdf");
    assert_eq!(validated.kind, FileKind::Pdf);
    assert!(validated.notes.is_empty());
}

#[test]
fn a_pdf_with_an_xref_stream_passes() {
    assert_eq!(accept("xref-stream.pdf", "nda.pdf").kind, FileKind::Pdf);
}

#[test]
fn a_pdf_with_an_incremental_update_passes() {
    assert_eq!(
        accept("incremental-update.pdf", "signed.pdf").kind,
        FileKind::Pdf
    );
}

#[test]
fn a_pdf_with_bytes_before_its_header_passes_with_a_note() {
    let original = std::fs::read(fixture("hand-written.pdf")).expect("fixture");
    let mut prefixed = b"Content-Type: application/pdf\r\n\r\n".to_vec();
    prefixed.extend_from_slice(&original);
    let staged = tempfile::NamedTempFile::new().expect("temporary file");
    std::fs::write(staged.path(), prefixed).expect("write");

    let validated = validate(
        staged.path(),
        "mail.pdf",
        &FileKind::ALL,
        &Limits::default(),
    )
    .expect("accepted");
    assert_eq!(validated.kind, FileKind::Pdf);
    assert_eq!(
        validated.notes,
        ["the PDF header follows 33 bytes of other data"]
    );
}

#[test]
fn a_png_passes_as_a_one_page_image() {
    let validated = accept("scan.png", "scan.png");
    assert_eq!(
        (validated.kind, validated.page_count),
        (FileKind::Png, Some(1))
    );
}

#[test]
fn a_jpeg_passes_under_either_extension() {
    assert_eq!(accept("scan.jpg", "scan.jpg").kind, FileKind::Jpeg);
    assert_eq!(accept("scan.jpg", "SCAN.JPEG").kind, FileKind::Jpeg);
}

#[test]
fn a_gif_passes() {
    assert_eq!(accept("scan.gif", "scan.gif").kind, FileKind::Gif);
}

#[test]
fn a_three_page_tiff_passes_with_its_page_count() {
    for claimed in ["scan.tif", "scan.tiff"] {
        let validated = accept("three-pages.tif", claimed);
        assert_eq!(
            (validated.kind, validated.page_count),
            (FileKind::Tiff, Some(3))
        );
    }
}

#[test]
fn an_rtf_document_passes() {
    assert_eq!(accept("contract.rtf", "contract.rtf").kind, FileKind::Rtf);
}

#[test]
fn a_utf8_text_file_with_a_byte_order_mark_passes_with_a_note() {
    let validated = accept("contract.txt", "contract.txt");
    assert_eq!(validated.kind, FileKind::Txt);
    assert_eq!(
        validated.notes,
        ["the text starts with a UTF-8 byte-order mark"]
    );
}

// ---- Names and types ------------------------------------------------------------------------

#[test]
fn an_empty_file_is_refused_as_empty() {
    assert_rejection!(
        reject("empty.pdf", "contract.pdf"),
        Rejection::EmptyFile,
        422,
        "empty"
    );
}

#[test]
fn a_name_without_an_extension_is_refused_listing_the_allowed_types() {
    assert_rejection!(
        reject("hand-written.pdf", "contract"),
        Rejection::MissingExtension { .. },
        415,
        "allowed types are PDF, DOCX, RTF, PNG, JPEG, TIFF, GIF and TXT"
    );
}

#[test]
fn an_unknown_extension_is_refused_and_named() {
    assert_rejection!(
        reject("elf-executable.pdf", "setup.EXE"),
        Rejection::UnknownExtension { .. },
        415,
        "files of type .exe are not supported"
    );
}

#[test]
fn a_type_the_administrator_has_not_allowed_is_refused_with_the_allowed_list() {
    let allowed = [FileKind::Pdf, FileKind::Docx];
    let rejection = validate(
        &fixture("scan.png"),
        "scan.png",
        &allowed,
        &Limits::default(),
    )
    .expect_err("PNG is not allowed");
    assert_rejection!(
        rejection,
        Rejection::TypeNotAllowed {
            kind: FileKind::Png,
            ..
        },
        415,
        "PNG files are not allowed here: allowed types are PDF and DOCX"
    );
}

#[test]
fn an_elf_executable_named_pdf_is_refused_as_an_executable() {
    assert_rejection!(
        reject("elf-executable.pdf", "invoice.pdf"),
        Rejection::ContentMismatch {
            claimed: FileKind::Pdf,
            ..
        },
        415,
        "the file's content is an executable program, not a PDF document"
    );
}

#[test]
fn a_png_named_docx_is_refused_as_a_png_image() {
    let rejection = reject("png-image.docx", "contract.docx");
    assert_eq!(
        rejection.to_string(),
        "the file's content is a PNG image, not a Word document"
    );
    assert_rejection!(
        rejection,
        Rejection::ContentMismatch { .. },
        415,
        "PNG image"
    );
}

#[test]
fn a_pdf_named_txt_is_refused_as_a_pdf() {
    assert_rejection!(
        reject("hand-written.pdf", "notes.txt"),
        Rejection::ContentMismatch {
            claimed: FileKind::Txt,
            ..
        },
        415,
        "the file's content is a PDF document, not a plain-text file"
    );
}

#[test]
fn a_word_document_named_pdf_is_refused_as_a_word_document() {
    assert_rejection!(
        reject("minimal.docx", "contract.pdf"),
        Rejection::ContentMismatch { .. },
        415,
        "the file's content is a Word document, not a PDF document"
    );
}

#[test]
fn text_named_pdf_is_refused_for_lacking_a_pdf_header() {
    assert_rejection!(
        reject("contract.txt", "contract.pdf"),
        Rejection::SignatureMissing {
            claimed: FileKind::Pdf
        },
        422,
        "the file is not a PDF document: it has no PDF header (%PDF-)"
    );
}

// ---- PDF ------------------------------------------------------------------------------------

#[test]
fn a_truncated_pdf_is_refused_as_incomplete() {
    assert_rejection!(
        reject("truncated.pdf", "nda.pdf"),
        Rejection::PdfTruncated,
        422,
        "the PDF is incomplete"
    );
}

#[test]
fn an_encrypted_pdf_is_refused_with_advice_to_remove_the_protection() {
    assert_rejection!(
        reject("encrypted.pdf", "nda.pdf"),
        Rejection::EncryptedPdf,
        422,
        "encrypted or password-protected PDF: remove the protection and upload again"
    );
}

#[test]
fn a_pdf_whose_startxref_points_at_the_wrong_place_is_refused_as_damaged() {
    assert_rejection!(
        reject("broken-xref.pdf", "nda.pdf"),
        Rejection::PdfStructureBroken,
        422,
        "cross-reference table cannot be read"
    );
}

// ---- DOCX -----------------------------------------------------------------------------------

#[test]
fn a_docx_that_declares_gigabytes_when_unpacked_is_refused_as_a_zip_bomb() {
    assert_rejection!(
        reject("docx-bomb-declared.docx", "bomb.docx"),
        Rejection::ZipTooLarge {
            limit_bytes: 536_870_912
        },
        422,
        "would expand to more than 512 MiB"
    );
}

#[test]
fn a_docx_with_a_part_compressed_a_thousandfold_is_refused_as_a_zip_bomb() {
    assert_rejection!(
        reject("docx-bomb-ratio.docx", "bomb.docx"),
        Rejection::ZipCompressionRatio { limit: 100 },
        422,
        "compressed more than 100:1"
    );
}

#[test]
fn a_docx_part_that_inflates_beyond_its_declared_size_is_refused() {
    assert_rejection!(
        reject("docx-lying-size.docx", "nda.docx"),
        Rejection::ZipSizeMismatch,
        422,
        "unpacks to more data than its header declares"
    );
}

#[test]
fn a_docx_with_more_entries_than_the_limit_is_refused() {
    let limits = Limits {
        max_zip_entries: 2,
        ..Limits::default()
    };
    assert_rejection!(
        reject_with("minimal.docx", "nda.docx", &limits),
        Rejection::ZipTooManyEntries {
            entries: 3,
            limit: 2
        },
        422,
        "contains 3 internal files, more than the 2 allowed"
    );
}

#[test]
fn a_docx_announcing_more_entries_than_the_limit_is_refused_before_they_are_read() {
    assert_rejection!(
        reject("docx-forged-entry-count.docx", "nda.docx"),
        Rejection::ZipTooManyEntries {
            entries: 50_000,
            limit: 10_000
        },
        422,
        "contains 50000 internal files, more than the 10000 allowed"
    );
}

#[test]
fn a_docx_without_word_document_xml_is_refused() {
    assert_rejection!(
        reject("docx-no-document-xml.docx", "nda.docx"),
        Rejection::DocxMissingDocumentXml,
        422,
        "has no word/document.xml"
    );
}

#[test]
fn a_docx_with_malformed_xml_is_refused() {
    assert_rejection!(
        reject("docx-malformed-xml.docx", "nda.docx"),
        Rejection::DocxMalformedXml,
        422,
        "is not well-formed XML"
    );
}

#[test]
fn a_docx_without_any_text_is_refused() {
    assert_rejection!(
        reject("docx-no-text.docx", "nda.docx"),
        Rejection::NoText {
            kind: FileKind::Docx
        },
        422,
        "the Word document contains no text"
    );
}

#[test]
fn a_docx_with_a_parent_directory_entry_is_refused() {
    assert_rejection!(
        reject("docx-traversal.docx", "nda.docx"),
        Rejection::ZipUnsafeEntryName,
        422,
        "unsafe path"
    );
}

#[test]
fn a_password_protected_docx_is_refused_with_advice_to_remove_the_password() {
    assert_rejection!(
        reject("password-protected.docx", "nda.docx"),
        Rejection::PasswordProtectedDocx,
        422,
        "password-protected Word document: remove the password and upload again"
    );
}

#[test]
fn a_legacy_word_document_is_refused_whatever_its_name_says() {
    for claimed in ["nda.doc", "nda.docx", "nda.pdf", "nda.txt"] {
        assert_rejection!(
            reject("legacy-word-97.doc", claimed),
            Rejection::LegacyWordDocument,
            415,
            "legacy Word 97-2003 .doc files are not supported: save as .docx"
        );
    }
}

// ---- Images ---------------------------------------------------------------------------------

#[test]
fn a_jpeg_truncated_mid_scan_is_refused_as_incomplete() {
    assert_rejection!(
        reject("truncated.jpg", "scan.jpg"),
        Rejection::ImageTruncated {
            kind: FileKind::Jpeg
        },
        422,
        "the JPEG image is incomplete"
    );
}

#[test]
fn a_truncated_png_is_refused_as_incomplete() {
    assert_rejection!(
        reject("truncated.png", "scan.png"),
        Rejection::ImageTruncated {
            kind: FileKind::Png
        },
        422,
        "the PNG image is incomplete"
    );
}

#[test]
fn a_truncated_gif_is_refused_as_incomplete() {
    assert_rejection!(
        reject("truncated.gif", "scan.gif"),
        Rejection::ImageTruncated {
            kind: FileKind::Gif
        },
        422,
        "the GIF image is incomplete"
    );
}

#[test]
fn a_png_claiming_ten_gigapixels_is_refused_over_the_pixel_budget() {
    assert_rejection!(
        reject("huge-dimensions.png", "scan.png"),
        Rejection::ImageTooLarge {
            dimensions: (100_000, 100_000),
            page: None,
            ..
        },
        422,
        "the image is 100000 x 100000 pixels (10000 megapixels), more than the 100 megapixels"
    );
}

#[test]
fn a_tiff_whose_second_page_is_damaged_is_refused_naming_the_page() {
    assert_rejection!(
        reject("damaged-page-2.tif", "scan.tif"),
        Rejection::TiffPageDamaged { page: 2 },
        422,
        "page 2 of the TIFF image is damaged"
    );
}

#[test]
fn a_tiff_with_more_pages_than_the_limit_is_refused() {
    let limits = Limits {
        max_tiff_pages: 2,
        ..Limits::default()
    };
    assert_rejection!(
        reject_with("three-pages.tif", "scan.tif", &limits),
        Rejection::TiffTooManyPages { limit: 2 },
        422,
        "more than 2 pages"
    );
}

#[test]
fn a_tiff_page_over_the_pixel_budget_is_refused_naming_the_page() {
    let limits = Limits {
        max_image_pixels: 5_000,
        ..Limits::default()
    };
    assert_rejection!(
        reject_with("three-pages.tif", "scan.tif", &limits),
        Rejection::ImageTooLarge { page: Some(1), .. },
        422,
        "page 1 of the image is 160 x 60 pixels"
    );
}

// ---- Text formats ---------------------------------------------------------------------------

#[test]
fn an_rtf_without_its_header_is_refused() {
    assert_rejection!(
        reject("no-header.rtf", "contract.rtf"),
        Rejection::SignatureMissing {
            claimed: FileKind::Rtf
        },
        422,
        "the file is not an RTF document: it does not start with the RTF header {\\rtf"
    );
}

#[test]
fn a_truncated_rtf_is_refused_as_incomplete() {
    assert_rejection!(
        reject("truncated.rtf", "contract.rtf"),
        Rejection::RtfTruncated,
        422,
        "the RTF document is incomplete"
    );
}

#[test]
fn braces_inside_rtf_binary_data_are_not_taken_for_groups() {
    assert_eq!(accept("binary-data.rtf", "signed.rtf").kind, FileKind::Rtf);
}

#[test]
fn a_blank_text_file_is_refused_as_having_no_text() {
    assert_rejection!(
        reject("blank.txt", "notes.txt"),
        Rejection::NoText {
            kind: FileKind::Txt
        },
        422,
        "the text file is blank"
    );
}

#[test]
fn a_latin1_text_file_is_refused_as_not_utf8() {
    assert_rejection!(
        reject("invalid-utf8.txt", "notes.txt"),
        Rejection::TextNotUtf8,
        422,
        "not UTF-8 encoded: save it as UTF-8"
    );
}

#[test]
fn a_text_file_with_nul_bytes_is_refused_as_binary() {
    assert_rejection!(
        reject("nul-bytes.txt", "notes.txt"),
        Rejection::TextBinary,
        422,
        "binary data (NUL bytes)"
    );
}

#[test]
fn a_utf16_text_file_is_refused_with_advice_to_save_as_utf8() {
    assert_rejection!(
        reject("utf16.txt", "notes.txt"),
        Rejection::TextUtf16,
        422,
        "UTF-16 encoded: save it as UTF-8"
    );
}

// ---- Detection, kinds and file names --------------------------------------------------------

#[test]
fn detect_tells_a_word_document_from_any_other_zip() {
    assert_eq!(
        detect(&fixture("minimal.docx")).expect("read"),
        Some(FileKind::Docx)
    );
    assert_eq!(
        detect(&fixture("docx-no-document-xml.docx")).expect("read"),
        None
    );
}

#[test]
fn detect_names_content_whatever_the_file_is_called() {
    assert_eq!(
        detect(&fixture("png-image.docx")).expect("read"),
        Some(FileKind::Png)
    );
    assert_eq!(
        detect(&fixture("contract.txt")).expect("read"),
        Some(FileKind::Txt)
    );
    assert_eq!(detect(&fixture("elf-executable.pdf")).expect("read"), None);
    assert_eq!(
        detect(&fixture("three-pages.tif")).expect("read"),
        Some(FileKind::Tiff)
    );
}

#[test]
fn file_kinds_accept_their_aliases_in_any_case() {
    assert_eq!(FileKind::from_extension("JPG"), Some(FileKind::Jpeg));
    assert_eq!(FileKind::from_extension("jpeg"), Some(FileKind::Jpeg));
    assert_eq!(FileKind::from_extension("Tif"), Some(FileKind::Tiff));
    assert_eq!(FileKind::from_extension("exe"), None);
    assert_eq!(FileKind::Jpeg.as_extension(), "jpg");
    assert_eq!(FileKind::Tiff.mime_type(), "image/tiff");
}

#[test]
fn a_traversal_name_keeps_only_its_last_component() {
    assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
    assert_eq!(sanitize_filename("C:\\x\\y.pdf"), "y.pdf");
    assert_eq!(sanitize_filename("..\\..\\boot.ini"), "boot.ini");
}

#[test]
fn a_name_with_nothing_left_becomes_upload() {
    for name in ["..", ".", "", "   ", "/", "dir/", "\u{7}\u{1b}"] {
        assert_eq!(sanitize_filename(name), "upload", "for {name:?}");
    }
}

#[test]
fn control_and_bidirectional_characters_are_removed() {
    assert_eq!(sanitize_filename("con\u{0}tract\n\r.pdf"), "contract.pdf");
    assert_eq!(
        sanitize_filename("invoice\u{202E}fdp.exe"),
        "invoicefdp.exe"
    );
}

#[test]
fn leading_dots_and_windows_device_names_are_neutralised() {
    assert_eq!(sanitize_filename(".hidden.pdf"), "hidden.pdf");
    assert_eq!(sanitize_filename("CON.pdf"), "_CON.pdf");
    assert_eq!(sanitize_filename("lpt1"), "_lpt1");
    assert_eq!(sanitize_filename("a<b>:c?.pdf"), "a_b__c_.pdf");
}

#[test]
fn a_very_long_name_is_cut_to_255_bytes_keeping_its_extension() {
    let ascii = sanitize_filename(&format!("{}.pdf", "a".repeat(300)));
    assert_eq!(ascii.len(), 255);
    assert!(ascii.ends_with("aaa.pdf"));

    let accented = sanitize_filename(&format!("{}.docx", "é".repeat(200)));
    assert!(accented.len() <= 255);
    assert!(accented.ends_with("é.docx"));
}

#[test]
fn unicode_names_are_kept_as_written() {
    let name = "Vertragsentwurf – Müller & Söhne (v2).docx";
    assert_eq!(sanitize_filename(name), name);
    assert_eq!(sanitize_filename("契約書.pdf"), "契約書.pdf");
}

#[test]
fn a_claimed_name_with_directories_is_judged_by_its_last_component() {
    assert_eq!(
        accept("hand-written.pdf", "../../uploads/nda.pdf").kind,
        FileKind::Pdf
    );
}
