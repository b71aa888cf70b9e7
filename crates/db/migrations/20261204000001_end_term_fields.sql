-- The dashboard dates the end of every contract the caller may see from three key terms of
-- each document (its expiration date, its renewal clause and the notice period before
-- renewal). This index holds just those rows, so the dashboard reads three small index
-- entries per document rather than every key term of every document.
CREATE INDEX document_fields_end_terms_idx ON document_fields (document_id, key)
    WHERE key IN ('expiration_date', 'renewal', 'renewal_notice_period');
