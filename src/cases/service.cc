#include "cases/service.h"

#include <algorithm>
#include <cctype>

#include "cases/service_impl.h"
#include "registers/forms.h"

namespace tongban {
extern const EmbeddedFile kCaseSql[];
extern const size_t kCaseSql_count;
}  // namespace tongban

namespace tongban::cases {

// A window's (or kiosk's) code: 1-32 of [0-9A-Za-z_-].
static bool IsWindowCode(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
  });
}

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

Result<SubmitResult> CaseService::Submit(const Principal& caller, const SubmitRequest& request) {
  auto r = impl_->SubmitOnce(caller, request);
  // Two requests with one new key raced (PostgreSQL): the loser finds the winner's case.
  if (!r.ok() && r.error().code() == ErrorCode::kAlreadyExists &&
      !request.idempotency_key.empty()) {
    return impl_->SubmitOnce(caller, request);
  }
  return r;
}

Result<SubmitResult> CaseService::Impl::SubmitOnce(const Principal& caller,
                                                   const SubmitRequest& in) {
  SubmitRequest r = in;
  SubmissionHook::Record record_hook;
  if (submission_hook) {
    TB_ASSIGN_OR_RETURN(record_hook, submission_hook->Prepare(caller, r));
  }
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
  const catalog::Matter& matter = *matter_or;
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
  if (!errors.empty()) return errors.ToError("the application is invalid");
  TB_RETURN_IF_ERROR(CheckCredit(r.applicant_code, r.materials));  // credit.cc

  const std::string fingerprint = Fingerprint(caller.account.id, r);
  const std::string& version_id = matter.version.id;
  {
    std::lock_guard lock(mu);
    matters.emplace(version_id, matter);
  }
  // Everything above was checked outside the write lock; the writes below are grouped with
  // concurrent submissions' in one transaction (one fsync for all), each in its own savepoint,
  // and acknowledged only after that transaction committed.
  Result<SubmitResult> out = Error(ErrorCode::kInternal, "the submission did not run");
  const auto write = [&](soci::session& sql) -> Result<SubmitResult> {
    const std::string& account = caller.account.id;
    if (!r.idempotency_key.empty()) {
      std::string stored_fp, case_id;
      long long since = now - options.idempotency_keep_ms;
      store::Execute(sql, Q("select_idempotency"), soci::use(account, "account"),
                     soci::use(r.idempotency_key, "key"), soci::use(since, "since"),
                     soci::into(stored_fp), soci::into(case_id));
      if (sql.got_data()) {
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
      store::Execute(sql, Q("delete_idempotency"), soci::use(account, "account"),
                     soci::use(r.idempotency_key, "key"));
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
    if (!r.idempotency_key.empty()) {
      store::Execute(sql, Q("insert_idempotency"), soci::use(account, "account"),
                     soci::use(r.idempotency_key, "key"), soci::use(fingerprint, "fingerprint"),
                     soci::use(c.id, "case_id"), soci::use(at, "created_at"));
    }
    json payload = {{"matter", c.matter_version}, {"scenario", c.scenario}, {"channel", channel},
                    {"applicant_kind", kind},     {"clerk", clerk},         {"agent", agent}};
    if (observer) {
      TB_RETURN_IF_ERROR(observer->OnCaseChanged(sql, {c, matter, "case.submitted", caller}));
    }
    if (!c.window.empty()) {
      store::Execute(sql, Q("set_case_window"), soci::use(c.window, "window"),
                     soci::use(c.id, "id"));
    }
    if (record_hook) TB_RETURN_IF_ERROR(record_hook(sql, c));
    TB_RETURN_IF_ERROR(Append(sql, c, account, "case.submitted", std::move(payload)));
    return SubmitResult{.record = std::move(c), .replayed = false};
  };
  Status committed = writes->Run([&](soci::session& sql) -> Status {
    out = write(sql);
    return out.ok() ? Ok() : Status(out.error());
  });
  if (!committed.ok()) return std::move(committed).error();
  TB_ASSIGN_OR_RETURN(out->record, Finish(std::move(out->record)));
  return out;
}

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
  return I.Transition(
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

Result<json> CaseService::Impl::AcceptanceNotice(const Principal& caller, Case& c,
                                                 const catalog::Matter& matter,
                                                 const std::optional<StartedReview>& review) const {
  TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", TargetOf(c), NowMs()));
  TB_RETURN_IF_ERROR(
      CheckState(c, {CaseState::kSubmitted, CaseState::kCorrectionRequested}, "accept"));
  FieldErrors errors;
  bool with_gaps = false, cores_present = true;
  for (const CaseMaterial& m : c.materials) {
    const std::string path = fmt::format("materials/{}", m.index);
    if (m.state == MaterialState::kGap || m.state == MaterialState::kSupplyLater) {
      with_gaps = true;
    }
    if (m.core && m.state != MaterialState::kProvided) cores_present = false;
    if (m.required && m.state == MaterialState::kMissing) {
      errors.Add(path, fmt::format("{} is missing", m.name));
    }
  }
  if (with_gaps && !cores_present) {
    for (const CaseMaterial& m : c.materials) {
      if (m.core && m.state != MaterialState::kProvided) {
        errors.Add(fmt::format("materials/{}", m.index),
                   fmt::format("容缺 needs every core material: {} is not provided", m.name));
      }
    }
  }
  if (!errors.empty()) {
    Error e = errors.ToError("the application is incomplete: issue a correction notice");
    return Error(ErrorCode::kRefused, e.message(), e.fields());
  }
  // 第32条: no correction notice within 5 working days: accepted from the day received.
  const Date today = Today();
  const bool deemed = !c.correction_on && today > CorrectionDeadline(c);
  c.clock.started_on = deemed ? c.received_on : today;
  c.accepted_by = caller.account.id;
  c.state = CaseState::kUnderReview;
  if (review) c.joint = review->joint;
  ComputeClock(c, matter);
  for (const CaseMaterial& m : c.materials) {
    if (m.state == MaterialState::kSupplyLater && c.clock.due_on && m.due_on &&
        *m.due_on > *c.clock.due_on) {
      errors.Add(fmt::format("materials/{}/due_on", m.index),
                 fmt::format("the due date may not pass the promised limit ({})",
                             c.clock.due_on->ToString()));
    }
  }
  if (!errors.empty()) {
    Error e = errors.ToError("a material's due date passes the promised limit");
    return Error(ErrorCode::kRefused, e.message(), e.fields());
  }
  return json{
      {"accepted_on", c.clock.started_on->ToString()},
      {"deemed_accepted", deemed},
      {"limit", {{"value", c.clock.limit.value}, {"unit", catalog::EnumId(c.clock.limit.unit)}}},
      {"due_on", DateText(c.clock.due_on)},
      {"gap_materials", MaterialsJson(c.materials, MaterialState::kGap)},
      {"supply_later_materials", MaterialsJson(c.materials, MaterialState::kSupplyLater)},
      {"proof_waived_materials", MaterialsJson(c.materials, MaterialState::kProofWaived)}};
}

Result<Case> CaseService::Accept(const Principal& caller, std::string_view number,
                                 const Step& step) {
  Impl& I = *impl_;
  // The case read once before the write: the review process starts from it, and the acceptance
  // notice is signed from it outside the write lock (the write compares the text it would sign
  // and signs again only when the case changed meanwhile).
  auto before = I.db.Transaction<Case>(store::TxKind::kRead,
                                       [&](soci::session& sql) { return I.Load(sql, number); });
  TB_ASSIGN_OR_RETURN(std::optional<Impl::StartedReview> review, I.BeginReview(caller, before));
  std::optional<Impl::PreSealed> presealed;
  if (before.ok()) {
    auto matter = I.MatterOf(before->matter_version);
    Case draft = *before;
    auto content = matter.ok() ? I.AcceptanceNotice(caller, draft, *matter, review)
                               : Result<json>(matter.error());
    if (content.ok()) {
      presealed =
          I.PreSeal(draft, *matter, DocumentKind::kAcceptanceNotice, std::move(content).value());
    }
  }
  auto accepted = I.Transition(
      caller, number, step, "case.accepted",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_ASSIGN_OR_RETURN(json content, I.AcceptanceNotice(caller, c, matter, review));
        if (review) TB_RETURN_IF_ERROR(I.RecordReview(sql, c, *review));
        const bool deemed = content["deemed_accepted"].get<bool>();
        TB_ASSIGN_OR_RETURN(
            Document d, I.Seal(sql, c, matter, DocumentKind::kAcceptanceNotice, std::move(content),
                               presealed ? &*presealed : nullptr));
        payload = {{"accepted_on", c.clock.started_on->ToString()},
                   {"deemed", deemed},
                   {"document", d.id}};
        if (review) payload["review"] = review->instance_id;
        return Ok();
      },
      before.ok() ? &before->matter_version : nullptr);
  if (!accepted.ok() && review) I.AbandonReview(*review);
  return accepted;
}

Result<Case> CaseService::Refuse(const Principal& caller, std::string_view number,
                                 std::string reason, std::string competent_agency,
                                 const Step& step) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (reason.empty()) errors.Add("reason", "is required");
  if (competent_agency.empty()) {
    errors.Add("competent_agency", "name the agency competent for the application");
  }
  if (!errors.empty()) return errors.ToError("the refusal is invalid");
  return I.Transition(
      caller, number, step, "case.refused",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(
            I.CheckState(c, {CaseState::kSubmitted, CaseState::kCorrectionRequested}, "refuse"));
        c.state = CaseState::kRefused;
        c.decision_reasons = reason;
        c.decided_by = caller.account.id;
        TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, DocumentKind::kRefusalDecision,
                                               {{"reason", reason},
                                                {"competent_agency", competent_agency},
                                                {"remedies", kRemedies}}));
        payload = {{"reason", reason}, {"competent_agency", competent_agency}, {"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::RequestCorrection(const Principal& caller, std::string_view number,
                                            std::vector<std::string> items, const Step& step) {
  Impl& I = *impl_;
  if (items.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the notice is invalid",
                 {{"items", "list everything missing, at least one item"}});
  }
  return I.Transition(
      caller, number, step, "case.correction_requested",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        if (c.correction_on) {
          FieldErrors errors;
          for (size_t i = 0; i < items.size(); ++i) {
            if (std::find(c.correction_items.begin(), c.correction_items.end(), items[i]) ==
                c.correction_items.end()) {
              errors.Add(fmt::format("items/{}", i),
                         fmt::format("{} was not listed in the one correction notice of {}",
                                     items[i], c.correction_on->ToString()));
            }
          }
          Error e = errors.ToError("一次性告知: the case already had its one correction notice");
          return Error(ErrorCode::kRefused, e.message(), e.fields());
        }
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kSubmitted}, "request a correction of"));
        const Date deadline = I.CorrectionDeadline(c);
        if (I.Today() > deadline) {
          return Error(ErrorCode::kRefused,
                       fmt::format("no correction notice was issued by {} (5 working days after "
                                   "receipt): the case counts as accepted from {} (第32条)",
                                   deadline.ToString(), c.received_on.ToString()));
        }
        c.state = CaseState::kCorrectionRequested;
        c.correction_on = I.Today();
        c.correction_items = items;
        TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, DocumentKind::kCorrectionNotice,
                                               {{"items", items}}));
        payload = {{"items", items}, {"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::FixForm(const Principal& caller, std::string_view number,
                                  std::map<std::string, std::string> changes, const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.form_fixed",
      [&](soci::session&, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kSubmitted, CaseState::kCorrectionRequested},
                                        "fix the form of"));
        json changed = json::array();
        for (const auto& [k, v] : changes) {
          auto old = c.form.find(k);
          changed.push_back(
              {{"field", k}, {"old", old == c.form.end() ? "" : old->second}, {"new", v}});
          if (v.empty()) {
            c.form.erase(k);
          } else {
            c.form[k] = v;
          }
        }
        const catalog::Scenario* s = Impl::ScenarioOf(matter, c.scenario);
        FieldErrors errors;
        if (s) ValidateForm(s->form, c.form, I.Today(), errors);
        if (!errors.empty()) return errors.ToError("the fixed form is invalid");
        payload = {{"changes", changed}};
        return Ok();
      });
}

Result<Case> CaseService::Withdraw(const Principal& caller, std::string_view number,
                                   const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.withdrawn",
      [&](soci::session&, Case& c, const catalog::Matter&, json&) -> Status {
        if (!I.IsApplicantSide(caller, c)) {
          return Error(ErrorCode::kForbidden, "only the applicant may withdraw the application");
        }
        TB_RETURN_IF_ERROR(I.CheckState(c,
                                        {CaseState::kSubmitted, CaseState::kCorrectionRequested,
                                         CaseState::kUnderReview, CaseState::kSuspended},
                                        "withdraw"));
        c.state = CaseState::kWithdrawn;
        return Ok();
      });
}

Result<Case> CaseService::Suspend(const Principal& caller, std::string_view number,
                                  SuspensionReason reason, int expected_days, const Step& step) {
  Impl& I = *impl_;
  if (expected_days <= 0) {
    return Error(ErrorCode::kInvalidArgument, "the suspension is invalid",
                 {{"expected_days", "must be at least 1"}});
  }
  return I.Transition(
      caller, number, step, "case.suspended",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.review", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kUnderReview}, "suspend"));
        c.state = CaseState::kSuspended;
        c.suspension_reason = reason;
        c.suspended_since = I.Today();
        TB_ASSIGN_OR_RETURN(
            Document d,
            I.Seal(sql, c, matter, DocumentKind::kSuspensionNotice,
                   {{"reason", SuspensionReasonName(reason)},
                    {"reason_title", SuspensionReasonTitle(reason)},
                    {"expected_days", expected_days},
                    {"basis", "《中华人民共和国行政许可法》第四十五条：所需时间不计算在期限内"}}));
        payload = {{"reason", SuspensionReasonName(reason)},
                   {"expected_days", expected_days},
                   {"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::Resume(const Principal& caller, std::string_view number,
                                 const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.resumed",
      [&](soci::session&, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.review", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kSuspended}, "resume"));
        const int64_t stopped = I.StoppedDays(I.Limit(matter), *c.suspended_since, I.Today());
        c.suspended_days += stopped;
        c.state = CaseState::kUnderReview;
        c.suspension_reason.reset();
        c.suspended_since.reset();
        payload = {{"stopped_days", stopped}};
        return Ok();
      });
}

Result<Case> CaseService::Extend(const Principal& caller, std::string_view number,
                                 std::string reasons, const Step& step) {
  Impl& I = *impl_;
  if (reasons.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the extension is invalid",
                 {{"reasons", "the applicant must be told why"}});
  }
  return I.Transition(
      caller, number, step, "case.extended",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.extend", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(
            I.CheckState(c, {CaseState::kUnderReview, CaseState::kSuspended}, "extend"));
        if (c.clock.extension_days > 0) {
          return Error(ErrorCode::kRefused,
                       fmt::format("case {} was already extended once (第42条)", c.number));
        }
        c.clock.extension_days = c.joint ? kJointExtensionDays : kExtensionDays;
        c.extended_by = caller.account.id;
        I.ComputeClock(c, matter);
        TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, DocumentKind::kExtensionNotice,
                                               {{"reasons", reasons},
                                                {"extension_working_days", c.clock.extension_days},
                                                {"due_on", DateText(c.clock.due_on)}}));
        payload = {{"reasons", reasons}, {"document", d.id}};
        return Ok();
      });
}

namespace {

// 受审分离: the clerk who accepted a case never decides it.
Status CheckSeparation(const Case& c, const Principal& caller) {
  if (!c.accepted_by.empty() && c.accepted_by == caller.account.id) {
    return Error(ErrorCode::kRefused,
                 "the clerk who accepted the case cannot decide it (受审分离)");
  }
  return Ok();
}

}  // namespace

Result<Case> CaseService::Approve(const Principal& caller, std::string_view number,
                                  const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.approved",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.approve", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kUnderReview}, "approve"));
        TB_RETURN_IF_ERROR(CheckSeparation(c, caller));
        FieldErrors gaps;
        for (const CaseMaterial& m : c.materials) {
          if (m.state == MaterialState::kGap) {
            gaps.Add(fmt::format("materials/{}", m.index),
                     fmt::format("{} (容缺) must be supplied before the result", m.name));
          }
        }
        if (!gaps.empty()) {
          Error e = gaps.ToError("the result waits for the gap materials");
          return Error(ErrorCode::kRefused, e.message(), e.fields());
        }
        c.state = CaseState::kApproved;
        c.decided_by = caller.account.id;
        TB_ASSIGN_OR_RETURN(Document d,
                            I.Seal(sql, c, matter, DocumentKind::kApprovalDecision,
                                   {{"decision", "approved"},
                                    {"legal_basis", matter.basic.legal_basis},
                                    {"result_licence_type", matter.item.result_licence_type},
                                    {"supply_later_materials",
                                     MaterialsJson(c.materials, MaterialState::kSupplyLater)}}));
        payload = {{"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::Deny(const Principal& caller, std::string_view number,
                               std::string reasons, const Step& step) {
  Impl& I = *impl_;
  if (reasons.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the denial is invalid",
                 {{"reasons", "a denial states its reasons (第38条)"}});
  }
  return I.Transition(
      caller, number, step, "case.denied",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.approve", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kUnderReview}, "deny"));
        TB_RETURN_IF_ERROR(CheckSeparation(c, caller));
        c.state = CaseState::kDenied;
        c.decided_by = caller.account.id;
        c.decision_reasons = reasons;
        TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, DocumentKind::kDenialDecision,
                                               {{"decision", "denied"},
                                                {"reasons", reasons},
                                                {"remedies", kRemedies},
                                                {"reconsideration_days", 60},
                                                {"litigation_months", 6}}));
        payload = {{"reasons", reasons}, {"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::Conclude(const Principal& caller, std::string_view number,
                                   const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.concluded",
      [&](soci::session&, Case& c, const catalog::Matter&, json&) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.approve", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kApproved, CaseState::kDenied}, "conclude"));
        c.state = CaseState::kConcluded;
        return Ok();
      });
}

Result<CasePage> CaseService::AcceptanceQueue(const Principal& caller, const std::string& region,
                                              const std::string& department, int limit,
                                              const std::string& cursor) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (!people::IsRegionCode(region)) errors.Add("region", "must be a region code");
  if (limit < 1 || limit > 100) errors.Add("limit", "must be 1 to 100");
  long long after_at = -1;
  std::string after_id;
  if (!cursor.empty()) {
    const size_t colon = cursor.find(':');
    if (colon == std::string::npos || !IsInteger(cursor.substr(0, colon))) {
      errors.Add("cursor", "is not a cursor of this listing");
    } else {
      after_at = std::stoll(cursor.substr(0, colon));
      after_id = cursor.substr(colon + 1);
    }
  }
  if (!errors.empty()) return errors.ToError("the queue request is invalid");
  TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept",
                                       {.region = region, .department = department}, I.NowMs()));
  const std::string low = people::RegionPrefix(region), high = low + ":";
  auto queue =
      I.db.Transaction<CasePage>(store::TxKind::kRead, [&](soci::session& sql) -> Result<CasePage> {
        CasePage page;
        CaseSummary s;
        std::string state, received_on, id;
        long long received_at = 0, n = limit + 1;
        soci::statement st =
            (sql.prepare << I.Q("acceptance_queue"), soci::use(low, "region_low"),
             soci::use(high, "region_high"), soci::use(department, "department"),
             soci::use(after_at, "after_at"), soci::use(after_id, "after_id"),
             soci::use(n, "limit"), soci::into(s.number), soci::into(s.matter),
             soci::into(s.region), soci::into(s.department), soci::into(s.applicant_name),
             soci::into(state), soci::into(received_on), soci::into(received_at), soci::into(id));
        st.execute();
        std::string last_id;
        long long last_at = 0;
        while (st.fetch()) {
          if (static_cast<int>(page.items.size()) == limit) {
            page.next_cursor = fmt::format("{}:{}", last_at, last_id);
            break;
          }
          CaseSummary out = s;
          out.state = Stored(ParseCaseState(state), state);
          out.received_on = *ParseStoredDate(received_on);
          out.received_at_ms = received_at;
          last_at = received_at;
          last_id = id;
          page.items.push_back(std::move(out));
        }
        return page;
      });
  if (!queue.ok()) return queue;
  for (CaseSummary& c : queue->items) {
    auto deadline = I.calendar->AddWorkingDays(c.received_on, kCorrectionWindowDays);
    if (deadline.ok()) c.accept_due_on = deadline->date;
  }
  return queue;
}

Result<std::vector<std::string>> CaseService::ExplainAcceptanceQueue(
    const std::string& region, const std::string& department) {
  Impl& I = *impl_;
  const std::string low = people::RegionPrefix(region), high = low + ":", after_id;
  long long after_at = -1, n = 21;
  const bool sqlite = I.db.backend() == store::Backend::kSqlite;
  return I.db.Transaction<std::vector<std::string>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<std::string>> {
        if (!sqlite) sql << "SET LOCAL enable_seqscan = off";
        std::vector<std::string> plan;
        int id = 0, parent = 0, unused = 0;
        std::string detail;
        soci::statement st(sql);
        st.alloc();
        st.prepare((sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + I.Q("acceptance_queue"),
                   soci::details::st_one_time_query);
        st.exchange(soci::use(low, "region_low"));
        st.exchange(soci::use(high, "region_high"));
        st.exchange(soci::use(department, "department"));
        st.exchange(soci::use(after_at, "after_at"));
        st.exchange(soci::use(after_id, "after_id"));
        st.exchange(soci::use(n, "limit"));
        if (sqlite) {
          st.exchange(soci::into(id));
          st.exchange(soci::into(parent));
          st.exchange(soci::into(unused));
        }
        st.exchange(soci::into(detail));
        st.define_and_bind();
        st.execute(false);
        while (st.fetch()) plan.push_back(detail);
        return plan;
      });
}

Result<std::vector<CaseSummary>> CaseService::DeemedAccepted(std::optional<Date> as_of) {
  Impl& I = *impl_;
  const Date today = as_of.value_or(I.Today());
  const std::string before = today.AddDays(-6).ToString();
  auto rows = I.db.Transaction<std::vector<CaseSummary>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CaseSummary>> {
        std::vector<CaseSummary> out;
        CaseSummary s;
        std::string state, received_on, id;
        long long received_at = 0;
        soci::statement st =
            (sql.prepare << I.Q("submitted_before"), soci::use(before, "before"),
             soci::into(s.number), soci::into(s.matter), soci::into(s.region),
             soci::into(s.department), soci::into(s.applicant_name), soci::into(state),
             soci::into(received_on), soci::into(received_at), soci::into(id));
        st.execute();
        while (st.fetch()) {
          CaseSummary row = s;
          row.state = Stored(ParseCaseState(state), state);
          row.received_on = *ParseStoredDate(received_on);
          row.received_at_ms = received_at;
          out.push_back(std::move(row));
        }
        return out;
      });
  if (!rows.ok()) return std::move(rows).error();
  std::vector<CaseSummary> out;
  for (CaseSummary& s : *rows) {
    auto deadline = I.calendar->AddWorkingDays(s.received_on, kCorrectionWindowDays);
    if (deadline.ok() && today > deadline->date) out.push_back(std::move(s));
  }
  return out;
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
            soci::into(d.content), soci::into(d.key_id), soci::into(d.signature);
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

Result<std::string> CaseService::DepartmentPublicKey(const std::string& department) {
  Impl& I = *impl_;
  return I.db.Transaction<std::string>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
        std::string key_id, private_pem, public_pem;
        sql << I.Q("select_department_key"), soci::use(department, "department"),
            soci::into(key_id), soci::into(private_pem), soci::into(public_pem);
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("department {} has no e-seal key", department));
        }
        return public_pem;
      });
}

Result<bool> CaseService::VerifyDocument(const Document& document) {
  TB_ASSIGN_OR_RETURN(std::string pem, DepartmentPublicKey(document.department));
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, crypto::Sm2Key::FromPublicPem(pem));
  if (key.id() != document.key_id) return false;
  auto der = crypto::FromHex(document.signature);
  if (!der.ok()) return false;
  return key.Verify(document.content, *der);
}

}  // namespace tongban::cases
