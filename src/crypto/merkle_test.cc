// The SM3 Merkle tree against RFC 9162's recursive definitions (MTH and PATH written here as the
// RFC writes them), for every leaf of every tree size up to 70, and proofs that must not verify.
#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tongban::crypto {
namespace {

// MTH(D[lo:hi]) of RFC 9162 §2.1.1 over leaf hashes.
Sm3Digest ReferenceRoot(const std::vector<Sm3Digest>& leaves, size_t lo, size_t hi) {
  if (hi - lo == 1) return leaves[lo];
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return MerkleNodeHash(ReferenceRoot(leaves, lo, lo + k), ReferenceRoot(leaves, lo + k, hi));
}

// PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1.
std::vector<Sm3Digest> ReferencePath(const std::vector<Sm3Digest>& leaves, size_t m, size_t lo,
                                     size_t hi) {
  if (hi - lo == 1) return {};
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  std::vector<Sm3Digest> path;
  if (m < k) {
    path = ReferencePath(leaves, m, lo, lo + k);
    path.push_back(ReferenceRoot(leaves, lo + k, hi));
  } else {
    path = ReferencePath(leaves, m - k, lo + k, hi);
    path.push_back(ReferenceRoot(leaves, lo, lo + k));
  }
  return path;
}

std::vector<Sm3Digest> Leaves(size_t n) {
  std::vector<Sm3Digest> leaves;
  for (size_t i = 0; i < n; ++i) leaves.push_back(MerkleLeafHash("document " + std::to_string(i)));
  return leaves;
}

TEST(Merkle, HashesAreDomainSeparated) {
  // A leaf is SM3(0x00 || data), a node SM3(0x01 || left || right): a leaf whose data is two
  // digests is not the node over them.
  const Sm3Digest a = MerkleLeafHash("a"), b = MerkleLeafHash("b");
  std::string both(reinterpret_cast<const char*>(a.data()), a.size());
  both.append(reinterpret_cast<const char*>(b.data()), b.size());
  EXPECT_NE(MerkleLeafHash(both), MerkleNodeHash(a, b));
  EXPECT_EQ(MerkleLeafHash("abc"), Sm3(std::string(1, '\0') + "abc"));
  EXPECT_EQ(MerkleNodeHash(a, b), Sm3(std::string(1, '\x01') + both));
  EXPECT_NE(MerkleNodeHash(a, b), MerkleNodeHash(b, a));
}

TEST(Merkle, RootsAndPathsAreRfc9162sForEveryLeafOfEverySizeUpTo70) {
  for (size_t n = 1; n <= 70; ++n) {
    const std::vector<Sm3Digest> leaves = Leaves(n);
    const MerkleTree tree(leaves);
    ASSERT_EQ(tree.size(), n);
    ASSERT_EQ(tree.root(), ReferenceRoot(leaves, 0, n)) << "size " << n;
    for (size_t m = 0; m < n; ++m) {
      const std::vector<Sm3Digest> path = tree.AuditPath(m);
      ASSERT_EQ(path, ReferencePath(leaves, m, 0, n)) << "leaf " << m << " of " << n;
      auto root = MerkleRootFromPath(m, n, leaves[m], path);
      ASSERT_TRUE(root.ok()) << root.error().ToString();
      ASSERT_EQ(*root, tree.root()) << "leaf " << m << " of " << n;
    }
  }
  EXPECT_TRUE(MerkleTree(Leaves(1)).AuditPath(0).empty());
  EXPECT_EQ(MerkleTree(Leaves(1)).root(), MerkleLeafHash("document 0"));
}

TEST(Merkle, AWrongLeafIndexSizeOrPathStepLeadsElsewhereOrIsRefused) {
  const std::vector<Sm3Digest> leaves = Leaves(7);
  const MerkleTree tree(leaves);
  const std::vector<Sm3Digest> path = tree.AuditPath(5);
  ASSERT_EQ(*MerkleRootFromPath(5, 7, leaves[5], path), tree.root());
  // Another leaf's hash, another index, a changed step: another root.
  EXPECT_NE(*MerkleRootFromPath(5, 7, leaves[4], path), tree.root());
  EXPECT_NE(*MerkleRootFromPath(4, 7, leaves[5], path), tree.root());
  std::vector<Sm3Digest> changed = path;
  changed[1][0] ^= 1;
  EXPECT_NE(*MerkleRootFromPath(5, 7, leaves[5], changed), tree.root());
  // A path whose length does not fit the index and size, an index past the size: refused.
  std::vector<Sm3Digest> longer = path;
  longer.push_back(path[0]);
  EXPECT_EQ(MerkleRootFromPath(5, 7, leaves[5], longer).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      MerkleRootFromPath(5, 7, leaves[5], std::span(path).first(path.size() - 1)).error().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(MerkleRootFromPath(7, 7, leaves[5], path).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(MerkleRootFromPath(0, 1, leaves[0], path).error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tongban::crypto
