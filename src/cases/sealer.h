// Group sealing: the signing analogue of group commit (group_commit.h). One SM2 signature seals
// every document that concurrent requests handed to the same department's Sealer while its
// previous signature was being made.
//
// A batch of one is signed as documents always were: the SM2 signature (SM3, ID
// 1234567812345678) of the document's canonical text, verifiable with the openssl command. A
// batch of n > 1 builds an SM3 Merkle tree over the texts (RFC 9162: leaf SM3(0x00 || text),
// node SM3(0x01 || left || right); crypto/merkle.h) and signs one statement naming its root
// (BatchStatement); each document keeps that signature and its inclusion proof.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/batcher.h"
#include "base/result.h"
#include "crypto/merkle.h"
#include "crypto/sm2.h"

namespace tongban::cases {

// How one document was sealed.
struct DocumentSeal {
  std::string signature;  // lower-case hex DER SM2 signature: of the text, or of the statement
  // Empty when `signature` is over the document's text itself (a batch of one, and every
  // document sealed before group sealing). Otherwise the inclusion proof, canonical JSON:
  // {"audit_path":["<hex>",…],"leaf_index":i,"root":"<hex>","tree_size":n}; `signature` is
  // over BatchStatement(department, root, tree_size).
  std::string proof;
};

// The bytes a batch's signature covers: canonical JSON
// {"alg":"sm3-merkle","department":"<code>","root":"<hex>","size":n}. Self-describing and never
// a document's text (every document has "document_id" and "kind"; a statement has neither).
std::string BatchStatement(std::string_view department, std::string_view root_hex, uint64_t size);

// The bytes a seal's signature covers: `text` when `proof` is empty, else the batch statement
// of the root and tree size `proof` names. kInvalidArgument when `proof` names none.
Result<std::string> SignedText(std::string_view department, std::string_view text,
                               std::string_view proof);

// Why `signature` and `proof` (DocumentSeal's) do not seal `text` for `department` under `key`;
// an empty string when they do. kCrypto only when OpenSSL cannot verify at all.
Result<std::string> SealProblem(const crypto::Sm2Key& key, std::string_view department,
                                std::string_view text, std::string_view signature,
                                std::string_view proof);

// Seals `texts` under one signature as a Sealer seals one batch (one text: its own signature;
// more: the Merkle tree's), in their order. kCrypto when the key cannot sign.
Result<std::vector<DocumentSeal>> SealTogether(const crypto::Sm2Key& key,
                                               std::string_view department,
                                               const std::vector<std::string_view>& texts);

struct SealerOptions {
  size_t max_batch = 1024;  // documents under one signature at most
  // Tests only: called by the signing thread with its batch's size before it signs.
  std::function<void(size_t batch)> before_sign = nullptr;
};

// One department key's queue of documents to seal. Thread-safe.
class Sealer {
 public:
  Sealer(crypto::Sm2Key key, std::string department, SealerOptions options = {});

  // Seals `text` (a document's canonical text) together with the texts of other threads calling
  // Seal at the same time, and returns once their signature is made. No caller waits for a
  // timer: when no thread signs, the caller signs its batch at once (alone, that is exactly one
  // signature of its text); those arriving meanwhile form the next batch, which the first of them
  // to wake signs. An error (the key cannot sign) fails the whole batch.
  Result<DocumentSeal> Seal(std::string_view text);

  const crypto::Sm2Key& key() const { return key_; }
  const std::string& department() const { return department_; }

  // SM2 signatures made, documents sealed, and documents waiting for the next batch now.
  int64_t signatures() const;
  int64_t documents() const;
  size_t queued() const;

 private:
  struct Job {
    std::string_view text;
    crypto::Sm3Digest leaf{};  // MerkleLeafHash(text), computed by the caller before queueing
    Result<DocumentSeal> result = DocumentSeal{};
  };
  void SignBatch(const std::vector<Job*>& batch) const;

  const crypto::Sm2Key key_;
  const std::string department_;
  const SealerOptions options_;
  Batcher<Job> batcher_;  // one batch signed at a time
};

}  // namespace tongban::cases
