// Submission (every channel, applicant and material declaration, Idempotency-Key, case numbers)
// and the materials supplied afterwards.
#include <algorithm>
#include <cctype>

#include "cases/commitment_signature.h"
#include "cases/service.h"
#include "cases/service_impl.h"
#include "registers/forms.h"

namespace tongban::cases {

// A window's (or kiosk's) code: 1-32 of [0-9A-Za-z_-].
static bool IsWindowCode(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
  });
}

Result<SubmitResult> CaseService::Submit(const Principal& caller, const SubmitRequest& request) {
  auto r = impl_->SubmitOnce(caller, request);
  // Two requests with one new key raced (PostgreSQL): the loser finds the winner's case.
  if (!r.ok() && r.error().code() == ErrorCode::kAlreadyExists &&
      !request.idempotency_key.empty()) {
    r = impl_->SubmitOnce(caller, request);
  }
  if (r.ok() && !r->replayed && impl_->submission_hook) {
    auto after = impl_->submission_hook->AfterSubmit(caller, r->record);
    if (after.ok() && after->has_value()) r->record = std::move(**after);
  }
  return r;
}

Result<SubmitResult> CaseService::Impl::SubmitOnce(const Principal& caller,
                                                   const SubmitRequest& in) {
  SubmitRequest r = in;
  SubmissionHook::Prepared hook;
  if (submission_hook) {
    TB_ASSIGN_OR_RETURN(hook, submission_hook->Prepare(caller, r));
  }
  // Unless the hook's record committed with the case (`recorded`), its `unrecorded` runs.
  struct Unrecorded {
    const SubmissionHook::Prepared& hook;
    bool recorded = false;
    ~Unrecorded() {
      if (!recorded && hook.unrecorded) hook.unrecorded();
    }
  } unrecorded{.hook = hook};
  FieldErrors errors;
  const int64_t now = NowMs();
  const Date today = Today();
  if (r.idempotency_key.size() > 200)
    errors.Add("Idempotency-Key", "is longer than 200 characters");
  auto matter_or = MatterInForce(r.matter, today);
  if (!matter_or.ok()) {
    if (matter_or.error().code() != ErrorCode::kNotFound) return std::move(matter_or).error();
    errors.Add("matter", fmt::format("no matter {} is in force", r.matter));
    return errors.ToError("the application is invalid");
  }
  const catalog::Matter& matter = **matter_or;
  if (r.scenario.empty() && !matter.item.scenarios.empty()) {
    r.scenario = matter.item.scenarios.front().code;
  }
  const catalog::Scenario* scenario = ScenarioOf(matter, r.scenario);
  if (!scenario) {
    errors.Add("scenario", fmt::format("matter {} has no scenario {}", r.matter, r.scenario));
    return errors.ToError("the application is invalid");
  }
  const people::Target target{.region = matter.item.region,
                              .department = matter.item.department,
                              .matter = matter.item.code};
  if (r.sandbox) TB_RETURN_IF_ERROR(people::Authorize(caller, "case.walkthrough", target, now));
  // Who applies, for whom, through which channel.
  std::string clerk, agent = r.agent_account;
  const bool staff = caller.account.kind == people::AccountKind::kStaff;
  if (staff) {
    if (r.channel == Channel::kOnline || r.channel == Channel::kMobile) {
      errors.Add("channel",
                 "staff apply for others through window, kiosk, service_point or "
                 "assisted");
    }
    TB_RETURN_IF_ERROR(people::Authorize(caller, "case.assist", target, now));
    clerk = caller.account.id;
  } else {
    if (r.channel != Channel::kOnline && r.channel != Channel::kMobile &&
        r.channel != Channel::kKiosk) {
      errors.Add("channel", "applicants apply themselves online, on a phone or at a kiosk");
    }
    if (!people::HoldsPermission(caller, "case.apply", now)) {
      return Error(ErrorCode::kForbidden, "not permitted: case.apply");
    }
  }
  if (!r.window.empty() && !IsWindowCode(r.window)) {
    errors.Add("window", "must be 1-32 letters, digits, '-' or '_'");
  } else if (!r.window.empty() && !staff && r.channel != Channel::kKiosk) {
    errors.Add("window", "is recorded for window, kiosk or assisted submissions only");
  }
  if (r.applicant_kind == ApplicantKind::kPerson) {
    if (!staff) {
      if (!r.applicant_code.empty() && r.applicant_code != caller.account.id_number) {
        return Error(ErrorCode::kForbidden,
                     "a citizen applies for themself; apply for others through a window");
      }
      r.applicant_code = caller.account.id_number;
      r.applicant_name = caller.account.name;
    } else {
      const CivilDate cd = today.civil();
      auto id = ParseIdNumber(
          r.applicant_code,
          std::chrono::year_month_day{std::chrono::year(cd.year),
                                      std::chrono::month(static_cast<unsigned>(cd.month)),
                                      std::chrono::day(static_cast<unsigned>(cd.day))});
      if (!id.ok()) {
        errors.Add("applicant/code", id.error().message());
      } else {
        r.applicant_code = id->normalized;
      }
      if (r.applicant_name.empty()) errors.Add("applicant/name", "is required");
    }
    if (!agent.empty()) errors.Add("applicant/agent_account", "is only for enterprises");
  } else {
    auto uscc = ParseUscc(r.applicant_code);
    if (!uscc.ok()) {
      errors.Add("applicant/code", uscc.error().message());
    } else {
      r.applicant_code = uscc->normalized;
      if (!staff) {
        TB_RETURN_IF_ERROR(people::AuthorizeForEnterprise(caller, r.applicant_code, now));
        agent = caller.account.id;
      } else if (agent.empty()) {
        errors.Add("applicant/agent_account",
                   "an enterprise applies through an agent it authorised");
      } else {
        TB_ASSIGN_OR_RETURN(auto agents, people.ListAgents(r.applicant_code));
        const bool valid = std::any_of(agents.begin(), agents.end(), [&](const auto& a) {
          return a.agent_account == agent && !a.revoked_at && now >= a.valid_from &&
                 (!a.valid_until || now < *a.valid_until);
        });
        if (!valid) {
          errors.Add("applicant/agent_account",
                     fmt::format("{} holds no valid authorisation of {}", agent, r.applicant_code));
        }
      }
      if (errors.empty()) {
        auto e = people.ReadEnterprise(caller, r.applicant_code);
        if (!e.ok()) return std::move(e).error();
        r.applicant_name = e->name;
      }
    }
  }
  ValidateForm(scenario->form, r.form, today, errors);
  // The catalog's own checks of each field (FEEL unary tests with their messages), over the
  // values that passed the type checks above.
  {
    std::map<std::string, std::string> typed = r.form;
    for (const FieldError& e : errors.fields()) {
      if (e.field.starts_with("form/")) typed.erase(e.field.substr(5));
    }
    registers::CheckFormValidations(scenario->form, typed, errors);
  }
  // Materials: one per scenario material, in its order, with the declared states.
  std::vector<CaseMaterial> materials;
  for (size_t i = 0; i < scenario->materials.size(); ++i) {
    const catalog::Material& cm = scenario->materials[i];
    CaseMaterial m;
    m.index = static_cast<int>(i);
    m.name = cm.name;
    // Conditional materials are treated as optional until their FEEL conditions are evaluated
    // (the review slice).
    m.required = cm.required == catalog::Requirement::kAlways;
    m.core = cm.core;
    materials.push_back(std::move(m));
  }
  std::set<std::string> declared;
  for (size_t i = 0; i < r.materials.size(); ++i) {
    const MaterialDeclaration& d = r.materials[i];
    const std::string path = fmt::format("materials/{}", i);
    auto it = std::find_if(scenario->materials.begin(), scenario->materials.end(),
                           [&](const catalog::Material& m) { return m.name == d.name; });
    if (it == scenario->materials.end()) {
      errors.Add(path + "/name", fmt::format("{} is not a material of this scenario", d.name));
      continue;
    }
    if (!declared.insert(d.name).second) {
      errors.Add(path + "/name", fmt::format("{} is declared twice", d.name));
      continue;
    }
    CaseMaterial& m = materials[it - scenario->materials.begin()];
    if (std::string why = MaterialStateProblem(*it, d.state); !why.empty()) {
      errors.Add(path + "/state", why);
    }
    if (d.state == MaterialState::kSupplyLater && (!d.due_on || *d.due_on < today)) {
      errors.Add(path + "/due_on", "supply_later needs a due date not in the past");
    }
    if (d.state != MaterialState::kSupplyLater && d.due_on) {
      errors.Add(path + "/due_on", "is only for supply_later");
    }
    if (d.state == MaterialState::kProvided) {
      if ((d.origin != MaterialOrigin::kLicence && d.origin != MaterialOrigin::kRegister &&
           d.origin != MaterialOrigin::kReuse) ||
          d.reference.empty() || (d.origin == MaterialOrigin::kReuse) != !d.content_hash.empty()) {
        errors.Add(path + "/origin",
                   "a material provided at submission is an e-licence or register reference; "
                   "upload files afterwards");
      }
    }
    m.state = d.state;
    m.origin = d.state == MaterialState::kProvided ? d.origin : MaterialOrigin::kNone;
    m.reference = d.state == MaterialState::kProvided ? d.reference : "";
    m.due_on = d.due_on;
    if (m.origin == MaterialOrigin::kReuse) {
      m.content_hash = d.content_hash;
      m.size = d.size;
      m.media_type = d.media_type;
      m.file_name = d.file_name;
    }
  }
  if (static_cast<int64_t>(r.commitment_signature.size()) > options.max_signature_bytes) {
    errors.Add("commitment_signature",
               fmt::format("is larger than {} bytes", options.max_signature_bytes));
  } else if (!r.commitment_signature.empty() &&
             SniffMediaType(r.commitment_signature) != "image/png") {
    errors.Add("commitment_signature", "is not a PNG image (judged by its bytes)");
  }
  if (!errors.empty()) return errors.ToError("the application is invalid");
  TB_RETURN_IF_ERROR(CheckCredit(r.applicant_code, r.materials));  // credit.cc
  // The drawn signature is scanned and stored before the transaction, as materials are: at most
  // an unreferenced file remains if the submission then fails.
  std::string signature_hash;
  if (!r.commitment_signature.empty()) {
    TB_ASSIGN_OR_RETURN(signature_hash,
                        internal::StoreSignatureFile(*scanner, blobs, r.commitment_signature,
                                                     "commitment_signature"));
  }

  const std::string fingerprint = Fingerprint(caller.account.id, r);
  const std::string& version_id = matter.version.id;  // cached by MatterInForce
  // Everything above was checked outside the write lock; the writes below are grouped with
  // concurrent submissions' in one transaction (one fsync for all), each in its own savepoint,
  // and acknowledged only after that transaction committed.
  Result<SubmitResult> out = Error(ErrorCode::kInternal, "the submission did not run");
  const auto write = [&](soci::session& sql) -> Result<SubmitResult> {
    const std::string& account = caller.account.id;
    if (!r.idempotency_key.empty()) {
      std::string stored_fp, case_id;
      long long created_at = 0;
      const long long since = now - options.idempotency_keep_ms;
      const store::Executed stored =
          store::Execute(sql, Q("select_idempotency"), soci::use(account, "account"),
                         soci::use(r.idempotency_key, "key"), soci::into(stored_fp),
                         soci::into(case_id), soci::into(created_at));
      if (stored.got_data && created_at >= since) {
        if (stored_fp != fingerprint) {
          return Error(
              ErrorCode::kConflict, "Idempotency-Key was used for a different request",
              {{"Idempotency-Key", "already used by this account for a different application"}});
        }
        std::string number;
        store::Execute(sql, Q("select_case_by_id"), soci::use(case_id, "id"), soci::into(number));
        TB_ASSIGN_OR_RETURN(Case c, Load(sql, number));
        return SubmitResult{.record = std::move(c), .replayed = true};
      }
      if (stored.got_data) {  // kept past its time: the key is free again
        store::Execute(sql, Q("delete_idempotency"), soci::use(account, "account"),
                       soci::use(r.idempotency_key, "key"));
      }
    }
    Case c;
    c.id = NewId(clock());
    c.matter = matter.item.code;
    c.matter_version = version_id;
    c.scenario = r.scenario;
    c.region = matter.item.region;
    c.department = matter.item.department;
    c.applicant_kind = r.applicant_kind;
    c.applicant_code = r.applicant_code;
    c.applicant_name = r.applicant_name;
    c.agent_account = agent;
    c.submitted_by = account;
    c.channel = r.channel;
    c.clerk_account = clerk;
    c.form = r.form;
    c.received_on = today;
    c.received_at_ms = now;
    c.materials = materials;
    c.sandbox = r.sandbox;
    c.window = r.window;
    const std::string region6 = c.region.substr(0, 6);
    const CivilDate cd = today.civil();
    const std::string day = fmt::format("{:04d}{:02d}{:02d}", cd.year, cd.month, cd.day);
    long long seq = 0;
    store::Execute(sql, Q("next_sequence"), soci::use(region6, "region"), soci::use(day, "day"),
                   soci::into(seq));
    c.number = fmt::format("{}-{}-{:06d}", region6, day, seq);
    std::string kind(ApplicantKindName(c.applicant_kind)), channel(ChannelName(c.channel)),
        form = FormJson(c.form), state(CaseStateName(c.state)), received = today.ToString();
    long long at = now;
    store::Execute(sql, Q("insert_case"), soci::use(c.id, "id"), soci::use(c.number, "number"),
                   soci::use(c.matter, "matter"), soci::use(c.matter_version, "matter_version"),
                   soci::use(c.scenario, "scenario"), soci::use(c.region, "region"),
                   soci::use(c.department, "department"), soci::use(kind, "applicant_kind"),
                   soci::use(c.applicant_code, "applicant_code"),
                   soci::use(c.applicant_name, "applicant_name"),
                   soci::use(c.agent_account, "agent_account"),
                   soci::use(c.submitted_by, "submitted_by"), soci::use(channel, "channel"),
                   soci::use(c.clerk_account, "clerk_account"), soci::use(form, "form"),
                   soci::use(state, "state"), soci::use(received, "received_on"),
                   soci::use(at, "received_at"));
    for (const CaseMaterial& m : c.materials) SaveMaterial(sql, c.id, m, true);
    if (!signature_hash.empty()) {
      internal::InsertCommitmentSignature(
          sql, Q("insert_commitment_signature"), c.id,
          {.content_hash = signature_hash,
           .size = static_cast<int64_t>(r.commitment_signature.size()),
           .signed_by = account,
           .created_at = at});
    }
    if (!r.idempotency_key.empty()) {
      store::Execute(sql, Q("insert_idempotency"), soci::use(account, "account"),
                     soci::use(r.idempotency_key, "key"), soci::use(fingerprint, "fingerprint"),
                     soci::use(c.id, "case_id"), soci::use(at, "created_at"));
    }
    json payload = {{"matter", c.matter_version}, {"scenario", c.scenario}, {"channel", channel},
                    {"applicant_kind", kind},     {"clerk", clerk},         {"agent", agent}};
    if (!signature_hash.empty()) payload["commitment_signature"] = signature_hash;
    if (observer) {
      TB_RETURN_IF_ERROR(observer->OnCaseChanged(sql, {c, matter, "case.submitted", caller}));
    }
    if (!c.window.empty()) {
      store::Execute(sql, Q("set_case_window"), soci::use(c.window, "window"),
                     soci::use(c.id, "id"));
    }
    if (hook.record) TB_RETURN_IF_ERROR(hook.record(sql, c));
    TB_RETURN_IF_ERROR(Append(sql, c, account, "case.submitted", std::move(payload)));
    return SubmitResult{.record = std::move(c), .replayed = false};
  };
  Status committed = writes->Run([&](soci::session& sql) -> Status {
    out = write(sql);
    return out.ok() ? Ok() : Status(out.error());
  });
  if (!committed.ok()) return std::move(committed).error();
  unrecorded.recorded = !out->replayed;
  TB_ASSIGN_OR_RETURN(out->record, Finish(std::move(out->record)));
  return out;
}

Result<Case> CaseService::SupplyMaterial(const Principal& caller, std::string_view number,
                                         int index, MaterialOrigin origin, std::string_view bytes,
                                         std::string file_name, std::string reference) {
  Impl& I = *impl_;
  FieldErrors errors;
  std::string hash, media_type;
  const bool with_bytes =
      origin == MaterialOrigin::kUploaded || origin == MaterialOrigin::kClerkScan;
  if (with_bytes) {
    if (static_cast<int64_t>(bytes.size()) > I.options.max_material_bytes) {
      return Error(ErrorCode::kPayloadTooLarge,
                   fmt::format("a material may be at most {} bytes", I.options.max_material_bytes));
    }
    if (bytes.empty()) errors.Add("content", "is empty");
    media_type = SniffMediaType(bytes);
    if (media_type.empty() && !bytes.empty()) {
      errors.Add("content", "is not a PDF, OFD, PNG or JPEG file (judged by its bytes)");
    }
    if (!errors.empty()) return errors.ToError("the material is refused");
    TB_ASSIGN_OR_RETURN(ScanVerdict verdict, I.scanner->Scan(bytes));
    if (verdict == ScanVerdict::kInfected) {
      return Error(ErrorCode::kRefused, "the virus scan flagged the file",
                   {{"content", "the virus scan flagged the file"}});
    }
    // Stored before the transaction: content-addressed, so a rolled-back upload leaves at most
    // an unreferenced file, never a reference without its file.
    TB_ASSIGN_OR_RETURN(hash, I.blobs.Put(bytes));
  } else if (origin == MaterialOrigin::kLicence || origin == MaterialOrigin::kRegister) {
    if (reference.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the material is refused",
                   {{"reference", "name the e-licence or register record"}});
    }
  } else {
    return Error(ErrorCode::kInvalidArgument,
                 "the origin must be uploaded, clerk_scan, licence or register",
                 {{"origin", "must be uploaded, clerk_scan, licence or register"}});
  }
  auto supplied = I.Transition(
      caller, number, Step{}, "case.material_supplied",
      [&](soci::session& sql, Case& c, const catalog::Matter&, json& payload) -> Status {
        if (origin == MaterialOrigin::kClerkScan) {
          TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        } else if (!I.IsApplicantSide(caller, c)) {
          TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        }
        TB_RETURN_IF_ERROR(
            I.CheckState(c,
                         {CaseState::kSubmitted, CaseState::kCorrectionRequested,
                          CaseState::kUnderReview, CaseState::kSuspended, CaseState::kApproved},
                         "supply a material to"));
        if (index < 0 || index >= static_cast<int>(c.materials.size())) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("case {} has no material {}", c.number, index));
        }
        CaseMaterial& m = c.materials[index];
        m.state = MaterialState::kProvided;
        m.origin = origin;
        m.reference = reference;
        m.content_hash = hash;
        m.size = with_bytes ? static_cast<int64_t>(bytes.size()) : 0;
        m.media_type = media_type;
        m.file_name = file_name;
        m.due_on.reset();
        I.SaveMaterial(sql, c.id, m, false);
        payload = {{"material", m.index}, {"name", m.name}, {"origin", MaterialOriginName(origin)},
                   {"sm3", hash},         {"size", m.size}, {"media_type", media_type}};
        return Ok();
      });
  // After the commit (秒批 of a case that waited for this material): its failure leaves the
  // supply as it stands.
  if (supplied.ok() && I.submission_hook) {
    auto after = I.submission_hook->AfterSupply(caller, *supplied);
    if (after.ok() && after->has_value()) return std::move(**after);
  }
  return supplied;
}

Result<std::string> CaseService::MaterialContent(const Principal& caller, std::string_view number,
                                                 int index) {
  TB_ASSIGN_OR_RETURN(Case c, Get(caller, number));
  if (index < 0 || index >= static_cast<int>(c.materials.size()) ||
      c.materials[index].content_hash.empty()) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("case {} has no file for material {}", number, index));
  }
  return impl_->blobs.Get(c.materials[index].content_hash);
}

}  // namespace tongban::cases
