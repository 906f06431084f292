// SM3 Merkle trees as RFC 6962 §2.1 / RFC 9162 §2.1 define them, with SM3 as the hash: a leaf
// is SM3(0x00 || data), an inner node SM3(0x01 || left || right) (domain-separated, so a leaf can
// never pose as a node), and a tree of n > 1 leaves splits at the largest power of two below n.
// One signature over the root then seals every leaf; each leaf carries its audit path.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/sm3.h"

namespace tongban::crypto {

// SM3(0x00 || data).
Sm3Digest MerkleLeafHash(std::string_view data);
// SM3(0x01 || left || right).
Sm3Digest MerkleNodeHash(const Sm3Digest& left, const Sm3Digest& right);

// A tree over given leaf hashes, every level kept so that each audit path is read, not
// recomputed (n leaves: n - 1 node hashes to build, log2 n digests per path).
class MerkleTree {
 public:
  // `leaves`: the leaf hashes (MerkleLeafHash), at least one.
  explicit MerkleTree(std::vector<Sm3Digest> leaves);

  size_t size() const { return levels_.front().size(); }
  const Sm3Digest& root() const { return levels_.back().front(); }
  // PATH(index, D[n]) of RFC 9162 §2.1.3.1: the sibling digests from the leaf up to the root.
  // Empty for a tree of one leaf. `index` < size().
  std::vector<Sm3Digest> AuditPath(size_t index) const;

 private:
  // levels_[0] the leaves; each next level pairs its neighbours, and an odd last node is carried
  // up unchanged: the same tree as RFC 9162's split at the largest power of two.
  std::vector<std::vector<Sm3Digest>> levels_;
};

// The root that leaf hash `leaf` at `index` of a tree of `size` leaves leads to through `path`
// (the verification of RFC 9162 §2.1.3.2, which returns the root instead of comparing it).
// kInvalidArgument when `index` is not below `size` or `path` has not exactly the length such a
// path has.
Result<Sm3Digest> MerkleRootFromPath(uint64_t index, uint64_t size, const Sm3Digest& leaf,
                                     std::span<const Sm3Digest> path);

}  // namespace tongban::crypto
