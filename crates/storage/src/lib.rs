//! Storage of uploaded originals for Contract Lucidity: a POSIX path or S3-compatible object storage.
