//! Text extraction for Contract Lucidity: PDF, DOCX, RTF, plain text and OCR, with a page for every character.
