// The case service: its storage, the case as read, and its sealed documents. Submission and
// materials are in submission.cc, the steps of the lifecycle in steps.cc, the acceptance queue
// in acceptance_queue.cc (and review, bundles, fees, notices, delivery, credit, search in theirs).
#include "cases/service.h"

#include "cases/service_impl.h"
#include "keys/certificate.h"

namespace tongban {
extern const EmbeddedFile kCaseSql[];
extern const size_t kCaseSql_count;
}  // namespace tongban

namespace tongban::cases {

Result<store::MigrationSet> CaseMigrations() {
  return store::LoadMigrations("cases", kCaseSql, kCaseSql_count);
}

std::string DefaultDataDir(const store::DatabaseUrl& url) {
  if (url.backend == store::Backend::kSqlite) return url.target + ".files";
  return "tongban-files";
}

CaseService::CaseService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->owner = this;
}
CaseService::~CaseService() = default;

void CaseService::SetObserver(CaseObserver* observer) { impl_->observer = observer; }
void CaseService::SetSubmissionHook(SubmissionHook* hook) { impl_->submission_hook = hook; }

Result<std::unique_ptr<CaseService>> CaseService::Create(store::Database& db,
                                                         catalog::CatalogService& catalog,
                                                         people::PeopleService& people,
                                                         trace::Trace& trace,
                                                         CaseServiceOptions options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries, store::QuerySet::Load(kCaseSql, kCaseSql_count));
  if (options.data_dir.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the case service needs a data directory");
  }
  if (options.keys == nullptr) {
    return Error(ErrorCode::kInvalidArgument,
                 "the case service needs the key store (the departments' e-seals)");
  }
  if (options.idempotency_keep_ms < 24LL * 3600 * 1000) {
    return Error(ErrorCode::kInvalidArgument, "idempotency keys must be kept at least 24 h");
  }
  auto impl =
      std::make_unique<Impl>(db, catalog, people, trace, std::move(options), std::move(queries));
  if (impl->options.calendar) {
    impl->calendar = impl->options.calendar;
  } else {
    impl->own_calendar = Calendar::WithEmbeddedSchedules();
    impl->calendar = impl->own_calendar.get();
  }
  impl->scanner = impl->options.scanner ? impl->options.scanner : &impl->own_scanner;
  impl->InitAdapters();  // fees.cc
  return std::unique_ptr<CaseService>(new CaseService(std::move(impl)));
}

Date CaseService::Today() const { return impl_->Today(); }

Result<Case> CaseService::Get(const Principal& caller, std::string_view number) {
  auto c = impl_->db.Transaction<Case>(
      store::TxKind::kRead, [&](soci::session& sql) { return impl_->Load(sql, number); });
  if (!c.ok()) return std::move(c).error();
  TB_RETURN_IF_ERROR(impl_->CanRead(caller, *c));
  return impl_->Finish(std::move(c).value());
}

Result<Case> CaseService::Read(std::string_view number) {
  auto c = impl_->db.Transaction<Case>(
      store::TxKind::kRead, [&](soci::session& sql) { return impl_->Load(sql, number); });
  if (!c.ok()) return std::move(c).error();
  return impl_->Finish(std::move(c).value());
}

Result<Document> CaseService::ReadDocument(std::string_view number, std::string_view document_id) {
  Impl& I = *impl_;
  return I.db.Transaction<Document>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<Document> {
        Document d;
        std::string kind, issued_on;
        const std::string n(number), id(document_id);
        sql << I.Q("select_document"), soci::use(n, "number"), soci::use(id, "id"),
            soci::into(d.id), soci::into(kind), soci::into(issued_on), soci::into(d.department),
            soci::into(d.content), soci::into(d.key_id), soci::into(d.signature),
            soci::into(d.seal_proof);
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound, fmt::format("case {} has no document {}", n, id));
        }
        d.kind = Stored(ParseDocumentKind(kind), kind);
        d.issued_on = *ParseStoredDate(issued_on);
        return d;
      });
}

Result<Document> CaseService::GetDocument(const Principal& caller, std::string_view number,
                                          std::string_view document_id) {
  TB_ASSIGN_OR_RETURN(Case c, Get(caller, number));
  (void)c;
  return ReadDocument(number, document_id);
}

Result<std::shared_ptr<const catalog::Matter>> CaseService::MatterInForce(const std::string& code,
                                                                          Date day) {
  return impl_->MatterInForce(code, day);
}

Result<std::shared_ptr<const catalog::Matter>> CaseService::PinnedMatter(
    const std::string& version_id) {
  return impl_->MatterOf(version_id);
}

SealCounts CaseService::Seals() const {
  SealCounts counts{.presigned_kept = impl_->presigned_kept.load(),
                    .signed_in_transaction = impl_->signed_in_transaction.load()};
  std::lock_guard lock(impl_->sealers_mu);
  for (const auto& [key_id, sealer] : impl_->sealers) {
    counts.batch_signatures += sealer->signatures();
    counts.batch_documents += sealer->documents();
    counts.queued += static_cast<int64_t>(sealer->queued());
  }
  return counts;
}

Result<SealKey> CaseService::SealKeyOf(const Document& document) {
  Impl& I = *impl_;
  auto cert = I.options.keys->Certificate(document.key_id);
  if (cert.ok()) {
    if (cert->owner != document.department) {
      return Error(ErrorCode::kNotFound, fmt::format("key {} is not an e-seal of department {}",
                                                     document.key_id, document.department));
    }
    TB_ASSIGN_OR_RETURN(keys::CertificateInfo info, keys::ReadCertificate(cert->certificate_pem));
    TB_ASSIGN_OR_RETURN(std::string public_pem, info.public_key.PublicPem());
    return SealKey{.public_pem = std::move(public_pem),
                   .certificate_pem = std::move(cert->certificate_pem)};
  }
  if (cert.error().code() != ErrorCode::kNotFound) return std::move(cert).error();
  return I.db.Transaction<SealKey>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<SealKey> {
        std::string public_pem;
        sql << I.Q("legacy_department_key"), soci::use(document.key_id, "key_id"),
            soci::use(document.department, "department"), soci::into(public_pem);
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound, fmt::format("department {} has no e-seal key {}",
                                                         document.department, document.key_id));
        }
        return SealKey{.public_pem = std::move(public_pem), .certificate_pem = ""};
      });
}

Result<std::string> CaseService::DocumentSealProblem(const Document& document) {
  auto sealed_by = SealKeyOf(document);
  if (!sealed_by.ok()) {
    if (sealed_by.error().code() == ErrorCode::kNotFound) return sealed_by.error().message();
    return std::move(sealed_by).error();
  }
  if (!sealed_by->certificate_pem.empty()) {
    // One of the installation's department certificates, not a lookalike stored beside them.
    // The root's certificate only: verifying needs no master key.
    auto root = impl_->options.keys->RootCertificate();
    if (!root.ok()) {
      if (root.error().code() == ErrorCode::kNotFound) return root.error().message();
      return std::move(root).error();
    }
    TB_ASSIGN_OR_RETURN(bool chained,
                        keys::IsSignedBy(sealed_by->certificate_pem, root->certificate_pem));
    if (!chained) {
      return fmt::format("key {} is not certified by the installation's root", document.key_id);
    }
  }
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, crypto::Sm2Key::FromPublicPem(sealed_by->public_pem));
  if (key.id() != document.key_id) {
    return fmt::format("the document names key {}, not the e-seal key of department {}",
                       document.key_id, document.department);
  }
  return SealProblem(key, document.department, document.content, document.signature,
                     document.seal_proof);
}

Result<bool> CaseService::VerifyDocument(const Document& document) {
  TB_ASSIGN_OR_RETURN(std::string problem, DocumentSealProblem(document));
  return problem.empty();
}

}  // namespace tongban::cases
