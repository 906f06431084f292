// 承诺签名, inside the cases module: how a drawn signature is kept, the one way for both the
// submission that carries it (SubmitOnce) and a signature given afterwards (SignCommitments).
#pragma once

#include <soci/soci.h>

#include <string>
#include <string_view>

#include "base/result.h"
#include "cases/files.h"
#include "cases/service.h"

namespace tongban::cases::internal {

// Scans the PNG and stores its bytes content-addressed, before the transaction that records them
// (as materials are: if that transaction fails, at most an unreferenced file remains). A file the
// scan flags is refused (kRefused) naming `field`, the request field that carried it. Returns
// the stored file's SM3 hex, which names it.
Result<std::string> StoreSignatureFile(VirusScanner& scanner, const BlobStore& blobs,
                                       std::string_view png, std::string_view field);

// Records `signature` as the commitment signature of the case with id `case_id`, in the caller's
// transaction; `insert_query` is the named query insert_commitment_signature.
void InsertCommitmentSignature(soci::session& sql, const std::string& insert_query,
                               const std::string& case_id, const CommitmentSignature& signature);

}  // namespace tongban::cases::internal
