#include "cases/sealer.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <vector>

#include "crypto/sm3.h"

namespace tongban::cases {
namespace {

using nlohmann::json;

constexpr size_t kDigestHex = 2 * sizeof(crypto::Sm3Digest);

Result<crypto::Sm3Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != kDigestHex) {
    return Error(ErrorCode::kInvalidArgument, "a digest is 64 hex digits");
  }
  TB_ASSIGN_OR_RETURN(std::string bytes, crypto::FromHex(hex));
  crypto::Sm3Digest d{};
  std::copy(bytes.begin(), bytes.end(), d.begin());
  return d;
}

// The proof's fields, or why they cannot be read.
struct Proof {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::string root_hex;
  crypto::Sm3Digest root{};
  std::vector<crypto::Sm3Digest> path;
};

Result<Proof> ParseProof(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto bad = [](std::string_view what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("the seal's proof {}", what));
  };
  if (!j.is_object()) return bad("is not a JSON object");
  Proof p;
  const auto index = j.find("leaf_index");
  const auto size = j.find("tree_size");
  const auto root = j.find("root");
  const auto path = j.find("audit_path");
  if (index == j.end() || !index->is_number_unsigned()) return bad("has no leaf_index");
  if (size == j.end() || !size->is_number_unsigned()) return bad("has no tree_size");
  if (root == j.end() || !root->is_string()) return bad("has no root");
  if (path == j.end() || !path->is_array()) return bad("has no audit_path");
  p.leaf_index = index->get<uint64_t>();
  p.tree_size = size->get<uint64_t>();
  p.root_hex = root->get<std::string>();
  auto r = DigestFromHex(p.root_hex);
  if (!r.ok()) return bad("has a root that is not 64 hex digits");
  p.root = *r;
  for (const json& step : *path) {
    auto d = step.is_string() ? DigestFromHex(step.get<std::string>())
                              : Result<crypto::Sm3Digest>(Error(ErrorCode::kInvalidArgument, ""));
    if (!d.ok()) return bad("has an audit path step that is not 64 hex digits");
    p.path.push_back(*d);
  }
  return p;
}

// SealTogether with the texts' leaf hashes already computed.
Result<std::vector<DocumentSeal>> SealLeaves(const crypto::Sm2Key& key, std::string_view department,
                                             const std::vector<std::string_view>& texts,
                                             std::vector<crypto::Sm3Digest> leaves) {
  if (texts.size() == 1) {
    TB_ASSIGN_OR_RETURN(std::string der, key.Sign(texts.front()));
    return std::vector<DocumentSeal>{{.signature = crypto::ToHex(der), .proof = {}}};
  }
  const crypto::MerkleTree tree(std::move(leaves));
  const std::string root = crypto::ToHex(tree.root());
  TB_ASSIGN_OR_RETURN(std::string der, key.Sign(BatchStatement(department, root, tree.size())));
  const std::string signature = crypto::ToHex(der);
  std::vector<DocumentSeal> out;
  out.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    json path = json::array();
    for (const crypto::Sm3Digest& step : tree.AuditPath(i)) path.push_back(crypto::ToHex(step));
    const json proof = {{"audit_path", std::move(path)},
                        {"leaf_index", i},
                        {"root", root},
                        {"tree_size", tree.size()}};
    out.push_back({.signature = signature, .proof = proof.dump()});
  }
  return out;
}

}  // namespace

Result<std::vector<DocumentSeal>> SealTogether(const crypto::Sm2Key& key,
                                               std::string_view department,
                                               const std::vector<std::string_view>& texts) {
  if (texts.empty()) return std::vector<DocumentSeal>{};
  std::vector<crypto::Sm3Digest> leaves;
  leaves.reserve(texts.size());
  for (std::string_view t : texts) leaves.push_back(crypto::MerkleLeafHash(t));
  return SealLeaves(key, department, texts, std::move(leaves));
}

std::string BatchStatement(std::string_view department, std::string_view root_hex, uint64_t size) {
  const json statement = {
      {"alg", "sm3-merkle"}, {"department", department}, {"root", root_hex}, {"size", size}};
  return statement.dump();  // keys sorted, no spaces: canonical
}

Result<std::string> SignedText(std::string_view department, std::string_view text,
                               std::string_view proof) {
  if (proof.empty()) return std::string(text);
  auto p = ParseProof(proof);
  if (!p.ok()) return p.error();
  return BatchStatement(department, p->root_hex, p->tree_size);
}

Result<std::string> SealProblem(const crypto::Sm2Key& key, std::string_view department,
                                std::string_view text, std::string_view signature,
                                std::string_view proof) {
  auto der = crypto::FromHex(signature);
  if (!der.ok()) return std::string("the signature is not hex text");
  if (proof.empty()) {
    TB_ASSIGN_OR_RETURN(bool valid, key.Verify(text, *der));
    if (!valid) {
      return std::string(
          "the signature is not the department key's signature of the document's text (the "
          "text or the signature was changed)");
    }
    return std::string();
  }
  auto p = ParseProof(proof);
  if (!p.ok()) return p.error().message();
  auto root = crypto::MerkleRootFromPath(p->leaf_index, p->tree_size, crypto::MerkleLeafHash(text),
                                         p->path);
  if (!root.ok()) return "the seal's proof does not fit its tree: " + root.error().message();
  if (*root != p->root) {
    return std::string(
        "the document's text and its inclusion proof do not lead to the batch root the "
        "signature covers (the text or the proof was changed, or the proof is another "
        "document's)");
  }
  TB_ASSIGN_OR_RETURN(bool valid,
                      key.Verify(BatchStatement(department, p->root_hex, p->tree_size), *der));
  if (!valid) {
    return std::string(
        "the batch signature is not the department key's signature of the batch root (the "
        "signature or the root was changed)");
  }
  return std::string();
}

Sealer::Sealer(crypto::Sm2Key key, std::string department, SealerOptions options)
    : key_(std::move(key)),
      department_(std::move(department)),
      options_(std::move(options)),
      batcher_(options_.max_batch) {}

Result<DocumentSeal> Sealer::Seal(std::string_view text) {
  Job job{.text = text, .leaf = crypto::MerkleLeafHash(text)};  // hashed outside the lock
  batcher_.Run(job, [this](const std::vector<Job*>& batch) {
    if (options_.before_sign) options_.before_sign(batch.size());
    SignBatch(batch);
  });
  return std::move(job.result);
}

void Sealer::SignBatch(const std::vector<Job*>& batch) const {
  std::vector<std::string_view> texts;
  std::vector<crypto::Sm3Digest> leaves;
  texts.reserve(batch.size());
  leaves.reserve(batch.size());
  for (const Job* j : batch) {
    texts.push_back(j->text);
    leaves.push_back(j->leaf);
  }
  auto seals = SealLeaves(key_, department_, texts, std::move(leaves));
  for (size_t i = 0; i < batch.size(); ++i) {
    if (seals.ok()) {
      batch[i]->result = std::move((*seals)[i]);
    } else {
      batch[i]->result = seals.error();
    }
  }
}

int64_t Sealer::signatures() const { return batcher_.batches(); }

int64_t Sealer::documents() const { return batcher_.jobs(); }

size_t Sealer::queued() const { return batcher_.queued(); }

}  // namespace tongban::cases
