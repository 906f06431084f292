-- Group sealing (src/cases/sealer.h): a document sealed in a batch of several keeps the batch's
-- signature in `signature` and its inclusion proof in the batch's SM3 Merkle tree here
-- (canonical JSON: audit_path, leaf_index, root, tree_size); the signature is then over the
-- batch statement of that root. '' (every row before this migration, and every document sealed
-- alone): the signature is over the document's content itself.
ALTER TABLE case_document ADD COLUMN seal_proof TEXT NOT NULL DEFAULT '';
