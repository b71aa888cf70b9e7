//! Upload validation for Contract Lucidity: file kinds, magic bytes, structure checks and guards.
