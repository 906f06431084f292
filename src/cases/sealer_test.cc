// Group sealing: batches of 1, 2, 3, 7 and 64 documents each verify (a batch of one exactly as a
// plain signature of the text); a changed text, a changed proof step, a proof from another batch
// and a signature over another root each fail with their reason; concurrent callers share one
// signature, counted as the group commit test counts commits.
#include "cases/sealer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "crypto/sm3.h"

namespace tongban::cases {
namespace {

using nlohmann::json;

crypto::Sm2Key NewKey() {
  auto key = crypto::Sm2Key::Generate();
  if (!key.ok()) throw std::runtime_error(key.error().ToString());
  return *key;
}

std::vector<std::string> Texts(size_t n, std::string_view tag) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < n; ++i) {
    texts.push_back(json{
        {"document_id", fmt::format("{}-{}", tag, i)},
        {"kind", "acceptance_notice"},
        {"title",
         "受理通知书"}}.dump());
  }
  return texts;
}

std::vector<DocumentSeal> SealAll(const crypto::Sm2Key& key,
                                  const std::vector<std::string>& texts) {
  std::vector<std::string_view> views(texts.begin(), texts.end());
  auto seals = SealTogether(key, "430111-mz", views);
  if (!seals.ok()) throw std::runtime_error(seals.error().ToString());
  return *seals;
}

std::string Problem(const crypto::Sm2Key& key, std::string_view text, const DocumentSeal& seal) {
  auto problem = SealProblem(key, "430111-mz", text, seal.signature, seal.proof);
  if (!problem.ok()) throw std::runtime_error(problem.error().ToString());
  return *problem;
}

class SealerBatches : public ::testing::TestWithParam<size_t> {};

TEST_P(SealerBatches, EveryDocumentOfTheBatchVerifies) {
  const size_t n = GetParam();
  const crypto::Sm2Key key = NewKey();
  const std::vector<std::string> texts = Texts(n, "b");
  const std::vector<DocumentSeal> seals = SealAll(key, texts);
  ASSERT_EQ(seals.size(), n);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(Problem(key, texts[i], seals[i]), "") << "document " << i << " of " << n;
    EXPECT_EQ(seals[i].signature, seals[0].signature);  // one signature for the batch
    if (n == 1) {
      // Alone: the signature is of the text itself, as before group sealing.
      EXPECT_EQ(seals[i].proof, "");
      EXPECT_TRUE(*key.Verify(texts[i], *crypto::FromHex(seals[i].signature)));
      continue;
    }
    const json proof = json::parse(seals[i].proof);
    EXPECT_EQ(proof["leaf_index"], i);
    EXPECT_EQ(proof["tree_size"], n);
    // The signature is over the self-describing statement of the root.
    const std::string statement = BatchStatement("430111-mz", proof["root"].get<std::string>(), n);
    EXPECT_EQ(statement.substr(0, 34), R"({"alg":"sm3-merkle","department":")");
    EXPECT_TRUE(*key.Verify(statement, *crypto::FromHex(seals[i].signature)));
    EXPECT_FALSE(*key.Verify(texts[i], *crypto::FromHex(seals[i].signature)));
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, SealerBatches, ::testing::Values(1, 2, 3, 7, 64));

TEST(Sealer, AChangedTextProofStepOtherBatchsProofOrOtherRootsSignatureFails) {
  const crypto::Sm2Key key = NewKey();
  const std::vector<std::string> texts = Texts(7, "a"), others = Texts(7, "o");
  const std::vector<DocumentSeal> seals = SealAll(key, texts), other = SealAll(key, others);
  const std::string kTextOrProof = "do not lead to the batch root";
  const std::string kSignature = "batch signature is not the department key's signature";
  ASSERT_EQ(Problem(key, texts[3], seals[3]), "");

  // The text changed by one character.
  std::string changed = texts[3];
  changed[changed.find("a-3") + 2] = '4';
  EXPECT_NE(Problem(key, changed, seals[3]).find(kTextOrProof), std::string::npos);

  // One step of the audit path changed.
  json proof = json::parse(seals[3].proof);
  std::string step = proof["audit_path"][1].get<std::string>();
  step[10] = step[10] == '0' ? '1' : '0';
  proof["audit_path"][1] = step;
  EXPECT_NE(Problem(key, texts[3], {seals[3].signature, proof.dump()}).find(kTextOrProof),
            std::string::npos);
  // The leaf index changed, a path step dropped: another root, or no path of this tree.
  proof = json::parse(seals[3].proof);
  proof["leaf_index"] = 2;
  EXPECT_NE(Problem(key, texts[3], {seals[3].signature, proof.dump()}).find(kTextOrProof),
            std::string::npos);
  proof = json::parse(seals[3].proof);
  proof["audit_path"].erase(0);
  EXPECT_NE(Problem(key, texts[3], {seals[3].signature, proof.dump()}).find("does not fit"),
            std::string::npos);

  // The proof (with its signature) of the same position in another batch.
  EXPECT_NE(Problem(key, texts[3], other[3]).find(kTextOrProof), std::string::npos);

  // A signature over another batch's root, with this document's own (valid) proof.
  EXPECT_NE(Problem(key, texts[3], {other[3].signature, seals[3].proof}).find(kSignature),
            std::string::npos);
  // The root in the proof replaced by the other batch's, whose signature it then carries.
  proof = json::parse(seals[3].proof);
  proof["root"] = json::parse(other[3].proof)["root"];
  EXPECT_NE(Problem(key, texts[3], {other[3].signature, proof.dump()}).find(kTextOrProof),
            std::string::npos);

  // Another department's statement: the same root and signature do not hold for it.
  auto elsewhere = SealProblem(key, "430111-sj", texts[3], seals[3].signature, seals[3].proof);
  EXPECT_NE(elsewhere->find(kSignature), std::string::npos);
  // Another key.
  EXPECT_NE(Problem(NewKey(), texts[3], seals[3]).find(kSignature), std::string::npos);

  // A batch of one: the plain signature fails for a changed text and for another text's.
  const std::vector<DocumentSeal> alone = SealAll(key, {texts[0]});
  EXPECT_EQ(Problem(key, texts[0], alone[0]), "");
  EXPECT_NE(Problem(key, changed, alone[0]).find("not the department key's signature"),
            std::string::npos);
  // A proof that is not one: its reason.
  EXPECT_NE(Problem(key, texts[3], {seals[3].signature, "{}"}).find("has no leaf_index"),
            std::string::npos);
  EXPECT_NE(Problem(key, texts[3], {seals[3].signature, "not json"}).find("not a JSON object"),
            std::string::npos);
  EXPECT_EQ(Problem(key, texts[3], {"zz", seals[3].proof}), "the signature is not hex text");
}

TEST(Sealer, ConcurrentCallersShareOneSignature) {
  constexpr int kFollowers = 12;
  const crypto::Sm2Key key = NewKey();
  Sealer* self = nullptr;
  std::atomic<int> batches{0};
  std::vector<size_t> sizes(4, 0);
  // The first batch (one document) is held until every follower has queued: they then share
  // the next signature.
  Sealer sealer(
      key, "430111-mz", {.before_sign = [&](size_t batch) {
        const int b = batches++;
        if (b < 4) sizes[b] = batch;
        if (b != 0) return;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (self->queued() < kFollowers && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::yield();
        }
      }});
  self = &sealer;
  const std::vector<std::string> texts = Texts(kFollowers + 1, "c");
  std::vector<DocumentSeal> seals(texts.size());
  std::atomic<bool> first_inside{false};
  std::thread first([&] {
    first_inside = true;
    auto s = sealer.Seal(texts[0]);
    ASSERT_TRUE(s.ok());
    seals[0] = *s;
  });
  while (!first_inside) std::this_thread::yield();
  while (batches.load() == 0) std::this_thread::yield();  // the first thread signs now
  std::vector<std::thread> followers;
  for (int i = 1; i <= kFollowers; ++i) {
    followers.emplace_back([&, i] {
      auto s = sealer.Seal(texts[i]);
      ASSERT_TRUE(s.ok());
      seals[i] = *s;
    });
  }
  for (auto& t : followers) t.join();
  first.join();
  EXPECT_EQ(sealer.documents(), kFollowers + 1);
  EXPECT_EQ(sealer.signatures(), 2);  // the first document's, then all twelve followers'
  EXPECT_EQ(sizes[0], 1u);
  EXPECT_EQ(sizes[1], static_cast<size_t>(kFollowers));
  EXPECT_EQ(seals[0].proof, "");
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(Problem(key, texts[i], seals[i]), "") << i;
    if (i > 1) {
      EXPECT_EQ(seals[i].signature, seals[1].signature);
    }
  }
  EXPECT_EQ(json::parse(seals[5].proof)["tree_size"], kFollowers);
}

TEST(Sealer, ManyThreadsEachGetAValidSealAndNoneIsLost) {
  constexpr int kThreads = 16, kEach = 20;
  const crypto::Sm2Key key = NewKey();
  Sealer sealer(key, "430111-mz");
  std::atomic<int> invalid{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const std::string& text : Texts(kEach, fmt::format("t{}", t))) {
        auto s = sealer.Seal(text);
        if (!s.ok() || Problem(key, text, *s) != "") ++invalid;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(invalid.load(), 0);
  EXPECT_EQ(sealer.documents(), kThreads * kEach);
  EXPECT_GE(sealer.signatures(), 1);
  EXPECT_LE(sealer.signatures(), sealer.documents());
  EXPECT_EQ(sealer.queued(), 0u);
}

}  // namespace
}  // namespace tongban::cases
