// 告知承诺 verification (核查: confirmed, rectification order, revocation) and the applicant
// credit record (失信 / 违诺 entries with source and expiry, repair), which bars 容缺, 承诺补交
// and 告知承诺 at submission while an entry is active.
#include "cases/fulfilment_impl.h"
#include "cases/service_impl.h"

namespace tongban::cases {

namespace {

constexpr std::array<std::pair<CreditKind, std::string_view>, 2> kCreditKinds{{
    {CreditKind::kDishonest, "dishonest"},
    {CreditKind::kBrokenCommitment, "broken_commitment"},
}};
constexpr std::array<std::pair<VerificationState, std::string_view>, 5> kVerificationStates{{
    {VerificationState::kScheduled, "scheduled"},
    {VerificationState::kConfirmed, "confirmed"},
    {VerificationState::kRectifying, "rectifying"},
    {VerificationState::kRectified, "rectified"},
    {VerificationState::kRevoked, "revoked"},
}};
constexpr std::array<std::pair<VerificationFinding, std::string_view>, 5> kFindings{{
    {VerificationFinding::kTrue, "true"},
    {VerificationFinding::kUntrue, "untrue"},
    {VerificationFinding::kRectified, "rectified"},
    {VerificationFinding::kNotRectified, "not_rectified"},
    {VerificationFinding::kFalseCommitment, "false_commitment"},
}};
constexpr int kCreditYears = 3;  // an entry's default life

template <typename E, size_t N>
std::string_view NameIn(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "";
}

template <typename E, size_t N>
std::optional<E> ParseIn(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view s) {
  for (const auto& [v, name] : table) {
    if (name == s) return v;
  }
  return std::nullopt;
}

bool Bars(const CreditEntry& e) {
  return e.active && (e.kind == CreditKind::kBrokenCommitment || e.serious);
}

std::vector<CreditEntry> LoadCredit(soci::session& sql, const std::string& query,
                                    const std::string& applicant_code, Date today) {
  std::vector<CreditEntry> out;
  CreditEntry e;
  std::string kind, recorded, expires, repaired;
  long long serious = 0;
  soci::statement st =
      (sql.prepare << query, soci::use(applicant_code, "applicant_code"), soci::into(e.id),
       soci::into(e.applicant_code), soci::into(kind), soci::into(serious), soci::into(e.source),
       soci::into(e.reason), soci::into(recorded), soci::into(expires), soci::into(e.recorded_by),
       soci::into(repaired), soci::into(e.repaired_by), soci::into(e.repair_note));
  st.execute();
  while (st.fetch()) {
    CreditEntry item = e;
    item.kind = Stored(ParseCreditKind(kind), kind);
    item.serious = serious != 0;
    item.recorded_on = *ParseStoredDate(recorded);
    item.expires_on = *ParseStoredDate(expires);
    item.repaired_on = ParseStoredDate(repaired);
    item.active = !item.repaired_on && today < item.expires_on;
    out.push_back(std::move(item));
  }
  return out;
}

std::optional<Verification> LoadVerification(soci::session& sql, const std::string& query,
                                             const std::string& case_id) {
  Verification v;
  std::string due, state, rectify_by;
  sql << query, soci::use(case_id, "case_id"), soci::into(v.case_number), soci::into(v.department),
      soci::into(due), soci::into(state), soci::into(rectify_by), soci::into(v.verified_by),
      soci::into(v.note);
  if (!sql.got_data()) return std::nullopt;
  v.due_on = *ParseStoredDate(due);
  v.state = Stored(ParseVerificationState(state), state);
  v.rectify_by = ParseStoredDate(rectify_by);
  return v;
}

// Writes an entry in the caller's transaction.
CreditEntry InsertCredit(soci::session& sql, const std::string& query, const CreditRequest& r,
                         const std::string& id, const std::string& actor, Date today, int64_t now) {
  CreditEntry e;
  e.id = id;
  e.applicant_code = r.applicant_code;
  e.kind = r.kind;
  e.serious = r.serious;
  e.source = r.source;
  e.reason = r.reason;
  e.recorded_on = today;
  e.expires_on = r.expires_on.value_or(today.AddDays(kCreditYears * 365));
  e.recorded_by = actor;
  e.active = today < e.expires_on;
  std::string kind(CreditKindName(e.kind)), recorded = today.ToString(),
                                            expires = e.expires_on.ToString();
  long long serious = e.serious ? 1 : 0, created = now;
  sql << query, soci::use(e.id, "id"), soci::use(e.applicant_code, "applicant_code"),
      soci::use(kind, "kind"), soci::use(serious, "serious"), soci::use(e.source, "source"),
      soci::use(e.reason, "reason"), soci::use(recorded, "recorded_on"),
      soci::use(expires, "expires_on"), soci::use(e.recorded_by, "recorded_by"),
      soci::use(created, "created_at");
  return e;
}

}  // namespace

std::string_view CreditKindName(CreditKind k) { return NameIn(kCreditKinds, k); }
std::optional<CreditKind> ParseCreditKind(std::string_view s) { return ParseIn(kCreditKinds, s); }
std::string_view VerificationStateName(VerificationState s) {
  return NameIn(kVerificationStates, s);
}
std::optional<VerificationState> ParseVerificationState(std::string_view s) {
  return ParseIn(kVerificationStates, s);
}
std::string_view VerificationFindingName(VerificationFinding f) { return NameIn(kFindings, f); }
std::optional<VerificationFinding> ParseVerificationFinding(std::string_view s) {
  return ParseIn(kFindings, s);
}

Status CaseService::Impl::CheckCredit(const std::string& applicant_code,
                                      const std::vector<MaterialDeclaration>& materials) {
  std::vector<size_t> declared;
  for (size_t i = 0; i < materials.size(); ++i) {
    const MaterialState s = materials[i].state;
    if (s == MaterialState::kGap || s == MaterialState::kSupplyLater ||
        s == MaterialState::kProofWaived) {
      declared.push_back(i);
    }
  }
  if (declared.empty()) return Ok();
  const Date today = Today();
  auto entries = db.Transaction<std::vector<CreditEntry>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CreditEntry>> {
        return LoadCredit(sql, Q("select_credit"), applicant_code, today);
      });
  if (!entries.ok()) return std::move(entries).error();
  auto bar = std::find_if(entries->begin(), entries->end(), Bars);
  if (bar == entries->end()) return Ok();
  const std::string why =
      fmt::format("barred by credit entry {} ({}{}, source {}) until {} or its repair", bar->id,
                  CreditKindName(bar->kind), bar->serious ? ", serious" : "", bar->source,
                  bar->expires_on.ToString());
  FieldErrors errors;
  for (size_t i : declared) errors.Add(fmt::format("materials/{}/state", i), why);
  Error e = errors.ToError("the applicant's credit record bars 容缺, 承诺补交 and 告知承诺");
  return Error(ErrorCode::kRefused, e.message(), e.fields());
}

Status CaseService::CreditAllows(std::string_view applicant_code,
                                 const std::vector<MaterialDeclaration>& materials) {
  return impl_->CheckCredit(std::string(applicant_code), materials);
}

Result<CreditEntry> CaseService::RecordCredit(const Principal& caller, CreditRequest request) {
  Impl& I = *impl_;
  if (!people::HoldsPermission(caller, "case.approve", I.NowMs())) {
    return Error(ErrorCode::kForbidden, "not permitted: case.approve");
  }
  FieldErrors errors;
  if (request.applicant_code.empty()) errors.Add("applicant_code", "is required");
  if (request.source.empty()) errors.Add("source", "name the case or the listing authority");
  if (request.reason.empty()) errors.Add("reason", "is required");
  const Date today = I.Today();
  if (request.expires_on && *request.expires_on <= today) {
    errors.Add("expires_on", "must be after today");
  }
  if (!errors.empty()) return errors.ToError("the credit entry is invalid");
  return I.db.Transaction<CreditEntry>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<CreditEntry> {
        return InsertCredit(sql, I.Q("insert_credit"), request, NewId(I.clock()), caller.account.id,
                            today, I.NowMs());
      });
}

Result<CreditEntry> CaseService::RepairCredit(const Principal& caller, std::string_view entry_id,
                                              std::string note) {
  Impl& I = *impl_;
  if (!people::HoldsPermission(caller, "case.approve", I.NowMs())) {
    return Error(ErrorCode::kForbidden, "not permitted: case.approve");
  }
  if (note.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the repair is invalid",
                 {{"note", "say how the applicant repaired its credit"}});
  }
  const std::string id(entry_id);
  const Date today = I.Today();
  return I.db.Transaction<CreditEntry>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<CreditEntry> {
        std::string applicant;
        sql << I.Q("select_credit_entry"), soci::use(id, "id"), soci::into(applicant);
        if (!sql.got_data())
          return Error(ErrorCode::kNotFound, fmt::format("no credit entry {}", id));
        std::string on = today.ToString();
        soci::statement st = (sql.prepare << I.Q("repair_credit"), soci::use(on, "repaired_on"),
                              soci::use(caller.account.id, "repaired_by"),
                              soci::use(note, "repair_note"), soci::use(id, "id"));
        st.execute(true);
        if (st.get_affected_rows() != 1) {
          return Error(ErrorCode::kConflict,
                       fmt::format("credit entry {} is already repaired", id));
        }
        for (CreditEntry& e : LoadCredit(sql, I.Q("select_credit"), applicant, today)) {
          if (e.id == id) return e;
        }
        return Error(ErrorCode::kInternal, "the repaired entry vanished");
      });
}

Result<std::vector<CreditEntry>> CaseService::CreditRecord(std::string_view applicant_code) {
  Impl& I = *impl_;
  const std::string code(applicant_code);
  const Date today = I.Today();
  return I.db.Transaction<std::vector<CreditEntry>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CreditEntry>> {
        return LoadCredit(sql, I.Q("select_credit"), code, today);
      });
}

Result<Verification> CaseService::GetVerification(const Principal& caller,
                                                  std::string_view number) {
  Impl& I = *impl_;
  return I.db.Transaction<Verification>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<Verification> {
        TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, number));
        TB_RETURN_IF_ERROR(I.CanRead(caller, c));
        auto v = LoadVerification(sql, I.Q("select_verification"), c.id);
        if (!v) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("case {} has no commitment to verify", c.number));
        }
        return *v;
      });
}

Result<std::vector<Verification>> CaseService::DueVerifications(const std::string& department,
                                                                std::optional<Date> as_of) {
  Impl& I = *impl_;
  const std::string until = as_of ? as_of->ToString() : std::string("9999-12-31");
  return I.db.Transaction<std::vector<Verification>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Verification>> {
        std::vector<Verification> out;
        Verification v;
        std::string due, state, rectify_by;
        soci::statement st =
            (sql.prepare << I.Q("due_verifications"), soci::use(department, "department"),
             soci::use(until, "until"), soci::into(v.case_number), soci::into(v.department),
             soci::into(due), soci::into(state), soci::into(rectify_by), soci::into(v.verified_by),
             soci::into(v.note));
        st.execute();
        while (st.fetch()) {
          Verification item = v;
          item.due_on = *ParseStoredDate(due);
          item.state = Stored(ParseVerificationState(state), state);
          item.rectify_by = ParseStoredDate(rectify_by);
          out.push_back(std::move(item));
        }
        return out;
      });
}

Result<Verification> CaseService::VerifyCommitment(const Principal& caller, std::string_view number,
                                                   VerificationFinding finding,
                                                   std::optional<Date> rectify_by,
                                                   std::string note) {
  Impl& I = *impl_;
  const Date today = I.Today();
  if (finding == VerificationFinding::kUntrue && (!rectify_by || *rectify_by <= today)) {
    return Error(ErrorCode::kInvalidArgument, "the finding is invalid",
                 {{"rectify_by", "an untrue condition gets a rectification deadline after today"}});
  }
  auto version = I.db.Transaction<std::string>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
        std::string v;
        const std::string n(number);
        sql << I.Q("select_matter_version"), soci::use(n, "number"), soci::into(v);
        if (!sql.got_data()) return Error(ErrorCode::kNotFound, fmt::format("no case {}", n));
        return v;
      });
  if (!version.ok()) return std::move(version).error();
  TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> pinned, I.MatterOf(*version));
  const catalog::Matter& matter = *pinned;
  auto done = I.db.Transaction<Verification>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<Verification> {
        TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, number));
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.approve", I.TargetOf(c), I.NowMs()));
        auto v = LoadVerification(sql, I.Q("select_verification"), c.id);
        if (!v) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("case {} has no commitment to verify", c.number));
        }
        const VerificationState old = v->state;
        auto refuse = [&](std::string_view needs) -> Error {
          return Error(ErrorCode::kConflict,
                       fmt::format("cannot record {} for case {}: its verification is {}, not {}",
                                   VerificationFindingName(finding), c.number,
                                   VerificationStateName(old), needs));
        };
        std::optional<CreditRequest> credit;
        std::optional<DocumentKind> document;
        json content = {{"finding", VerificationFindingName(finding)}, {"note", note}};
        switch (finding) {
          case VerificationFinding::kTrue:
            if (old != VerificationState::kScheduled) return refuse("scheduled");
            v->state = VerificationState::kConfirmed;
            break;
          case VerificationFinding::kUntrue:
            if (old != VerificationState::kScheduled) return refuse("scheduled");
            v->state = VerificationState::kRectifying;
            v->rectify_by = rectify_by;
            document = DocumentKind::kRectificationOrder;
            content["rectify_by"] = rectify_by->ToString();
            break;
          case VerificationFinding::kRectified:
            if (old != VerificationState::kRectifying) return refuse("rectifying");
            v->state = VerificationState::kRectified;
            break;
          case VerificationFinding::kNotRectified:
            if (old != VerificationState::kRectifying) return refuse("rectifying");
            if (!(today > *v->rectify_by)) {
              return Error(ErrorCode::kRefused,
                           fmt::format("the rectification deadline {} has not passed",
                                       v->rectify_by->ToString()),
                           {{"finding", "not_rectified only after the deadline"}});
            }
            v->state = VerificationState::kRevoked;
            document = DocumentKind::kRevocationDecision;
            credit = CreditRequest{.applicant_code = c.applicant_code,
                                   .kind = CreditKind::kBrokenCommitment,
                                   .serious = false,
                                   .source = c.number,
                                   .reason = "告知承诺的条件经核查不实，逾期未整改",
                                   .expires_on = std::nullopt};
            break;
          case VerificationFinding::kFalseCommitment:
            if (old != VerificationState::kScheduled && old != VerificationState::kRectifying) {
              return refuse("scheduled or rectifying");
            }
            v->state = VerificationState::kRevoked;
            document = DocumentKind::kRevocationDecision;
            credit = CreditRequest{.applicant_code = c.applicant_code,
                                   .kind = CreditKind::kBrokenCommitment,
                                   .serious = true,
                                   .source = c.number,
                                   .reason = "虚假承诺",
                                   .expires_on = std::nullopt};
            break;
        }
        v->verified_by = caller.account.id;
        v->note = note;
        std::string state(VerificationStateName(v->state)), old_state(VerificationStateName(old)),
            by = DateText(v->rectify_by);
        soci::statement st = (sql.prepare << I.Q("update_verification"), soci::use(state, "state"),
                              soci::use(by, "rectify_by"), soci::use(v->verified_by, "verified_by"),
                              soci::use(v->note, "note"), soci::use(c.id, "case_id"),
                              soci::use(old_state, "old_state"));
        st.execute(true);
        if (st.get_affected_rows() != 1) {
          return Error(ErrorCode::kVersionMismatch,
                       fmt::format("the verification of case {} changed meanwhile", c.number));
        }
        json payload = {{"finding", VerificationFindingName(finding)}, {"state", state}};
        if (credit) {
          CreditEntry e = InsertCredit(sql, I.Q("insert_credit"), *credit, NewId(I.clock()),
                                       caller.account.id, today, I.NowMs());
          payload["credit_entry"] = e.id;
          content["credit_entry"] = {{"id", e.id},
                                     {"kind", CreditKindName(e.kind)},
                                     {"serious", e.serious},
                                     {"expires_on", e.expires_on.ToString()}};
        }
        if (document) {
          TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, *document, content));
          payload["document"] = d.id;
          TB_RETURN_IF_ERROR(I.QueueNotice(
              sql, c, VerificationStateName(v->state),
              fmt::format(
                  "【通办】您的办件{}（{}）告知承诺核查：{}，请查看{}。", c.number,
                  matter.basic.name,
                  *document == DocumentKind::kRevocationDecision ? "已撤销许可" : "需限期整改",
                  DocumentKindTitle(*document))));
        }
        payload["state"] = CaseStateName(c.state);
        payload["verification"] = state;
        TB_RETURN_IF_ERROR(
            I.Append(sql, c, caller.account.id, "case.commitment_verified", std::move(payload)));
        return *v;
      });
  if (done.ok()) (void)I.DrainNoticesAfterCommit();
  return done;
}

}  // namespace tongban::cases
