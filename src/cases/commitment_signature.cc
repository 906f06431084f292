// 承诺签名: the drawn signature under a case's commitments, stored beside its materials.
#include "cases/commitment_signature.h"

#include <fmt/format.h>

#include "cases/service.h"
#include "cases/service_impl.h"
#include "people/authorization.h"

namespace tongban::cases {
namespace {

Result<std::optional<CommitmentSignature>> SelectSignature(soci::session& sql,
                                                           const std::string& query,
                                                           const std::string& number) {
  CommitmentSignature s;
  long long size = 0, created = 0;
  store::Execute(sql, query, soci::use(number, "number"), soci::into(s.content_hash),
                 soci::into(size), soci::into(s.signed_by), soci::into(created));
  if (!sql.got_data()) return std::optional<CommitmentSignature>();
  s.size = size;
  s.created_at = created;
  return std::optional<CommitmentSignature>(std::move(s));
}

}  // namespace

namespace internal {

Result<std::string> StoreSignatureFile(VirusScanner& scanner, const BlobStore& blobs,
                                       std::string_view png, std::string_view field) {
  TB_ASSIGN_OR_RETURN(ScanVerdict verdict, scanner.Scan(png));
  if (verdict == ScanVerdict::kInfected) {
    return Error(ErrorCode::kRefused, "the virus scan flagged the signature",
                 {{std::string(field), "the virus scan flagged the file"}});
  }
  return blobs.Put(png);
}

void InsertCommitmentSignature(soci::session& sql, const std::string& insert_query,
                               const std::string& case_id, const CommitmentSignature& signature) {
  long long size = signature.size, created = signature.created_at;
  store::Execute(sql, insert_query, soci::use(case_id, "case_id"),
                 soci::use(signature.content_hash, "content_hash"), soci::use(size, "size"),
                 soci::use(signature.signed_by, "signed_by"), soci::use(created, "created_at"));
}

}  // namespace internal

Result<CaseService::SignatureResult> CaseService::SignCommitments(const Principal& caller,
                                                                  std::string_view number,
                                                                  std::string_view png) {
  Impl& I = *impl_;
  if (static_cast<int64_t>(png.size()) > I.options.max_signature_bytes) {
    return Error(ErrorCode::kPayloadTooLarge,
                 fmt::format("a signature may be at most {} bytes", I.options.max_signature_bytes));
  }
  if (SniffMediaType(png) != "image/png") {
    return Error(ErrorCode::kUnsupportedMediaType, "the signature must be a PNG image",
                 {{"content", "is not a PNG image (judged by its bytes)"}});
  }
  TB_ASSIGN_OR_RETURN(Case current, Get(caller, number));
  const bool applicant = I.IsApplicantSide(caller, current);
  if (!applicant) {
    TB_RETURN_IF_ERROR(people::Authorize(caller, "case.assist", I.TargetOf(current), I.NowMs()));
    if (current.channel != Channel::kKiosk && current.channel != Channel::kWindow) {
      return Error(ErrorCode::kForbidden,
                   fmt::format("case {} came in {}: staff take a signature only at a kiosk or "
                               "window",
                               current.number, ChannelName(current.channel)));
    }
  }
  const std::string hash_of_png = crypto::Sm3Hex(png);
  TB_ASSIGN_OR_RETURN(std::optional<CommitmentSignature> existing, CommitmentSignatureOf(current));
  auto conflict = [&](const CommitmentSignature& s) {
    return Error(ErrorCode::kConflict,
                 fmt::format("case {} is signed already (SM3 {}): a signature is never replaced",
                             current.number, s.content_hash));
  };
  if (existing) {
    if (existing->content_hash == hash_of_png) return SignatureResult{*existing, true};
    return conflict(*existing);
  }
  TB_ASSIGN_OR_RETURN(std::string hash,
                      internal::StoreSignatureFile(*I.scanner, I.blobs, png, "content"));
  CommitmentSignature stored{.content_hash = hash,
                             .size = static_cast<int64_t>(png.size()),
                             .signed_by = caller.account.id,
                             .created_at = I.NowMs()};
  auto signed_case = I.Transition(
      caller, number, Step{}, "case.commitment_signed",
      [&](soci::session& sql, Case& c, const catalog::Matter&, json& payload) -> Status {
        TB_RETURN_IF_ERROR(
            I.CheckState(c,
                         {CaseState::kSubmitted, CaseState::kCorrectionRequested,
                          CaseState::kUnderReview, CaseState::kSuspended, CaseState::kApproved},
                         "sign the commitments of"));
        TB_ASSIGN_OR_RETURN(std::optional<CommitmentSignature> raced,
                            SelectSignature(sql, I.Q("select_commitment_signature"), c.number));
        if (raced) return conflict(*raced);
        internal::InsertCommitmentSignature(sql, I.Q("insert_commitment_signature"), c.id, stored);
        payload = {{"sm3", stored.content_hash},
                   {"size", stored.size},
                   {"channel", ChannelName(c.channel)},
                   {"on_behalf", !applicant}};
        return Ok();
      });
  if (!signed_case.ok()) return std::move(signed_case).error();
  return SignatureResult{stored, false};
}

Result<std::optional<CommitmentSignature>> CaseService::GetCommitmentSignature(
    const Principal& caller, std::string_view number) {
  TB_ASSIGN_OR_RETURN(Case c, Get(caller, number));
  return CommitmentSignatureOf(c);
}

Result<std::optional<CommitmentSignature>> CaseService::CommitmentSignatureOf(const Case& read) {
  Impl& I = *impl_;
  return I.db.Transaction<std::optional<CommitmentSignature>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::optional<CommitmentSignature>> {
        return SelectSignature(sql, I.Q("select_commitment_signature"), read.number);
      });
}

Result<std::string> CaseService::CommitmentSignatureContent(const Principal& caller,
                                                            std::string_view number) {
  TB_ASSIGN_OR_RETURN(std::optional<CommitmentSignature> s, GetCommitmentSignature(caller, number));
  if (!s) return Error(ErrorCode::kNotFound, fmt::format("case {} has no signature", number));
  return impl_->blobs.Get(s->content_hash);
}

}  // namespace tongban::cases
