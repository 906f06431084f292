#include "crypto/merkle.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace tongban::crypto {
namespace {

// SM3 over `prefix` followed by `parts`, without concatenating them first.
template <typename... Parts>
Sm3Digest Sm3Of(uint8_t prefix, const Parts&... parts) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  Sm3Digest out{};
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sm3(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), &prefix, 1) == 1;
  ((ok = ok && EVP_DigestUpdate(ctx.get(), parts.data(), parts.size()) == 1), ...);
  if (!ok || EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("OpenSSL cannot compute SM3");
  }
  return out;
}

}  // namespace

Sm3Digest MerkleLeafHash(std::string_view data) { return Sm3Of(0x00, data); }

Sm3Digest MerkleNodeHash(const Sm3Digest& left, const Sm3Digest& right) {
  return Sm3Of(0x01, left, right);
}

MerkleTree::MerkleTree(std::vector<Sm3Digest> leaves) {
  if (leaves.empty()) throw std::invalid_argument("a Merkle tree needs at least one leaf");
  levels_.push_back(std::move(leaves));
  while (levels_.back().size() > 1) {
    const std::vector<Sm3Digest>& below = levels_.back();
    std::vector<Sm3Digest> up;
    up.reserve((below.size() + 1) / 2);
    for (size_t i = 0; i + 1 < below.size(); i += 2) {
      up.push_back(MerkleNodeHash(below[i], below[i + 1]));
    }
    if (below.size() % 2 == 1) up.push_back(below.back());
    levels_.push_back(std::move(up));
  }
}

std::vector<Sm3Digest> MerkleTree::AuditPath(size_t index) const {
  if (index >= size()) throw std::out_of_range("no such leaf in the Merkle tree");
  std::vector<Sm3Digest> path;
  for (size_t level = 0; level + 1 < levels_.size(); ++level) {
    const size_t sibling = index ^ 1;
    // No sibling: the node was carried up unchanged, and the path has no step for it.
    if (sibling < levels_[level].size()) path.push_back(levels_[level][sibling]);
    index /= 2;
  }
  return path;
}

Result<Sm3Digest> MerkleRootFromPath(uint64_t index, uint64_t size, const Sm3Digest& leaf,
                                     std::span<const Sm3Digest> path) {
  if (index >= size) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("leaf index {} is not below the tree size {}", index, size));
  }
  uint64_t fn = index, sn = size - 1;
  Sm3Digest r = leaf;
  for (const Sm3Digest& p : path) {
    if (sn == 0) {
      return Error(ErrorCode::kInvalidArgument,
                   "the audit path is longer than a path in a tree of this size");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = MerkleNodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "the audit path is shorter than a path in a tree of this size");
  }
  return r;
}

}  // namespace tongban::crypto
