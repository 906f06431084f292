// Ratings: online once a case ended (一事一评), a visit on the device or by QR token (一次一评),
// never by staff; listing and the invitations of unrated cases.
#include "evaluation/service_impl.h"

namespace tongban::evaluation {

using people::Principal;

Result<Evaluation> EvaluationService::RateCase(const Principal& caller, std::string_view number,
                                               const RatingInput& input) {
  Impl& I = *impl_;
  if (IsStaff(caller)) return StaffMayNotRate();
  TB_RETURN_IF_ERROR(I.CheckInput(input));
  const std::string key(number);
  bool queued = false;
  auto out = I.db.Transaction<Evaluation>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<Evaluation> {
        auto c = I.ReadCase(sql, key);
        if (!c) return Error(ErrorCode::kNotFound, fmt::format("no case {}", key));
        const bool own =
            c->submitted_by == caller.account.id ||
            (c->applicant_kind == "person" && !caller.account.id_number.empty() &&
             c->applicant_code == caller.account.id_number) ||
            (c->applicant_kind == "enterprise" &&
             people::AuthorizeForEnterprise(caller, c->applicant_code, I.NowMs()).ok());
        if (!own) {
          return Error(ErrorCode::kForbidden,
                       fmt::format("only the applicant of case {} may rate it", key));
        }
        if (c->state != "concluded" && c->state != "refused" && c->state != "withdrawn") {
          return Error(ErrorCode::kRefused,
                       fmt::format("case {} is {}: it is rated online after conclusion, refusal "
                                   "or withdrawal",
                                   key, c->state));
        }
        std::string previous;
        long long previous_at = 0;
        store::Execute(sql, I.Q("select_online_evaluation"), soci::use(key, "number"),
                       soci::into(previous), soci::into(previous_at));
        if (sql.got_data()) {
          return Error(ErrorCode::kConflict,
                       fmt::format("case {} is already rated online (一事一评: once)", key));
        }
        Evaluation e;
        e.source = Source::kOnline;
        e.case_number = key;
        e.region = c->region;
        e.department = c->department;
        e.matter = c->matter;
        e.window = c->window;  // the window that took the case in ("" online)
        e.level = input.level;
        e.tags = input.tags;
        e.text = input.text;
        e.rater_account = caller.account.id;
        e.named = true;
        TB_ASSIGN_OR_RETURN(Evaluation saved, I.Insert(sql, e, caller.account.id_number, &caller));
        if (!IsGood(saved.level)) {
          TB_RETURN_IF_ERROR(
              I.QueueNotice(sql, key, caller.account.id, caller.account.id_number, "evaluation",
                            fmt::format("您对办件 {} 的评价（{}）已收到，承办部门将回访核实并在 {} "
                                        "个工作日内整改或答复。",
                                        key, LevelTitle(saved.level), I.LimitDays(saved.region))));
          queued = true;
        }
        return saved;
      });
  if (out.ok() && queued) I.AfterNotices();
  return out;
}

Result<Visit> EvaluationService::OpenVisit(const Principal& caller, const VisitRequest& request) {
  Impl& I = *impl_;
  return I.db.Transaction<Visit>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<Visit> {
    Visit v;
    v.case_number = request.case_number;
    v.channel = request.channel;
    v.window = request.window;
    v.terminal = request.terminal.empty() ? request.window : request.terminal;
    v.region = request.region;
    v.department = request.department;
    v.matter = request.matter;
    v.applicant_account = request.applicant_account;
    v.applicant_code = request.applicant_code;
    FieldErrors errors;
    if (!request.case_number.empty()) {
      auto c = I.ReadCase(sql, request.case_number);
      if (!c) {
        errors.Add("case_number", "no such case");
      } else {
        v.region = c->region;
        v.department = c->department;
        v.matter = c->matter;
        if (v.applicant_account.empty()) v.applicant_account = c->submitted_by;
        if (v.applicant_code.empty() && c->applicant_kind == "person") {
          v.applicant_code = c->applicant_code;
        }
      }
    } else {
      if (!people::IsRegionCode(v.region)) errors.Add("region", "must be a region code");
      if (v.department.empty()) errors.Add("department", "is required without a case");
    }
    if (v.window.empty()) errors.Add("window", "is required");
    if (!errors.empty()) return errors.ToError("the visit is invalid");
    TB_RETURN_IF_ERROR(people::Authorize(
        caller, "case.accept", {.region = v.region, .department = v.department, .matter = v.matter},
        I.NowMs()));
    v.id = NewId(I.clock());
    v.clerk_account = caller.account.id;
    v.opened_at = I.NowMs();
    std::string channel(VisitChannelName(v.channel));
    long long opened = v.opened_at;
    store::Execute(sql, I.Q("insert_visit"), soci::use(v.id, "id"),
                   soci::use(v.case_number, "case_number"), soci::use(channel, "channel"),
                   soci::use(v.window, "window_code"), soci::use(v.terminal, "terminal"),
                   soci::use(v.region, "region"), soci::use(v.department, "department"),
                   soci::use(v.matter, "matter"), soci::use(v.clerk_account, "clerk"),
                   soci::use(v.applicant_account, "applicant_account"),
                   soci::use(v.applicant_code, "applicant_code"), soci::use(opened, "opened_at"));
    return v;
  });
}

Result<Visit> EvaluationService::GetVisit(std::string_view id) {
  Impl& I = *impl_;
  const std::string key(id);
  return I.db.Transaction<Visit>(store::TxKind::kRead, [&](soci::session& sql) -> Result<Visit> {
    auto v = I.ReadVisit(sql, key);
    if (!v) return Error(ErrorCode::kNotFound, fmt::format("no visit {}", key));
    return *v;
  });
}

namespace {

Evaluation FromVisit(const Visit& v, Source source, const RatingInput& input) {
  Evaluation e;
  e.source = source;
  e.case_number = v.case_number;
  e.visit_id = v.id;
  e.region = v.region;
  e.department = v.department;
  e.matter = v.matter;
  e.window = v.window;
  e.level = input.level;
  e.tags = input.tags;
  e.text = input.text;
  e.rater_account = v.applicant_account;
  e.named = !v.applicant_account.empty() || !v.applicant_code.empty();
  return e;
}

}  // namespace

Result<RatingRequestResult> EvaluationService::RequestVisitRating(const Principal& caller,
                                                                  std::string_view visit_id,
                                                                  RatingMethod method) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(Visit visit, GetVisit(visit_id));
  TB_RETURN_IF_ERROR(people::Authorize(
      caller, "case.accept",
      {.region = visit.region, .department = visit.department, .matter = visit.matter}, I.NowMs()));
  if (!visit.evaluation_id.empty()) {
    return Error(ErrorCode::kConflict,
                 fmt::format("visit {} is already rated (一次一评: once)", visit.id));
  }
  RatingRequestResult out;
  if (method == RatingMethod::kQrCode) {
    out.expires_at = I.NowMs() + I.options.token_ttl_ms;
    out.token = I.SignToken(visit.id, out.expires_at);
    const std::string hash = crypto::Sm3Hex(out.token);
    long long expires = out.expires_at;
    TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      store::Execute(sql, I.Q("insert_token"), soci::use(hash, "token_hash"),
                     soci::use(visit.id, "visit_id"), soci::use(expires, "expires_at"));
      return Ok();
    }));
    return out;
  }
  if (I.options.device == nullptr) {
    return Error(ErrorCode::kUnavailable, "no rating device is configured: use the QR code");
  }
  devices::RatingPrompt prompt{
      .visit = visit.id, .department = visit.department, .window = visit.window, .tags = {}};
  for (const auto& [level, list] : I.options.tags) {
    prompt.tags[std::string(LevelName(level))] = list;
  }
  TB_ASSIGN_OR_RETURN(devices::DeviceRating pressed,
                      I.options.device->Collect(visit.terminal, prompt));
  auto level = ParseLevel(pressed.level);
  if (!level) {
    return Error(ErrorCode::kUnavailable,
                 fmt::format("the rating device answered an unknown level '{}'", pressed.level));
  }
  RatingInput input{.level = *level, .tags = pressed.tags, .text = pressed.text};
  TB_RETURN_IF_ERROR(I.CheckInput(input));
  auto saved = I.db.Transaction<Evaluation>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<Evaluation> {
        // The device's answer is the applicant's: the clerk's account is not the rater.
        return I.Insert(sql, FromVisit(visit, Source::kDevice, input), visit.applicant_code,
                        nullptr);
      });
  if (!saved.ok()) {
    if (saved.error().code() == ErrorCode::kAlreadyExists) {
      return Error(ErrorCode::kConflict,
                   fmt::format("visit {} is already rated (一次一评: once)", visit.id));
    }
    return std::move(saved).error();
  }
  out.evaluation = std::move(saved).value();
  return out;
}

Result<Evaluation> EvaluationService::RateByToken(const Principal* caller, std::string_view token,
                                                  const RatingInput& input) {
  Impl& I = *impl_;
  if (caller != nullptr && IsStaff(*caller)) return StaffMayNotRate();
  TB_ASSIGN_OR_RETURN(std::string visit_id, I.VerifyToken(token));
  TB_RETURN_IF_ERROR(I.CheckInput(input));
  const std::string hash = crypto::Sm3Hex(token);
  auto saved = I.db.Transaction<Evaluation>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<Evaluation> {
        std::string stored_visit;
        long long expires = 0, used = 0;
        store::Execute(sql, I.Q("select_token"), soci::use(hash, "token_hash"),
                       soci::into(stored_visit), soci::into(expires), soci::into(used));
        if (!sql.got_data() || stored_visit != visit_id) {
          return Error(ErrorCode::kForbidden, "the evaluation token is not valid");
        }
        if (used != 0) {
          return Error(ErrorCode::kRefused, "the evaluation token was used already");
        }
        if (I.NowMs() >= expires) {
          return Error(ErrorCode::kRefused, "the evaluation token has expired");
        }
        long long now = I.NowMs();
        store::Execute(sql, I.Q("use_token"), soci::use(now, "now"), soci::use(hash, "token_hash"));
        auto visit = I.ReadVisit(sql, visit_id);
        if (!visit) return Error(ErrorCode::kNotFound, fmt::format("no visit {}", visit_id));
        if (!visit->evaluation_id.empty()) {
          return Error(ErrorCode::kConflict,
                       fmt::format("visit {} is already rated (一次一评: once)", visit_id));
        }
        Evaluation e = FromVisit(*visit, Source::kQrCode, input);
        std::string code = visit->applicant_code;
        if (caller != nullptr) {
          e.rater_account = caller->account.id;
          e.named = true;
          if (code.empty()) code = caller->account.id_number;
        }
        return I.Insert(sql, e, code, caller);
      });
  return saved;
}

Result<EvaluationPage> EvaluationService::ListEvaluations(const Principal& caller,
                                                          const EvaluationQuery& query) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (query.limit < 1 || query.limit > 500) errors.Add("limit", "must be between 1 and 500");
  if (!query.region.empty() && !people::IsRegionCode(query.region)) {
    errors.Add("region", "must be a region code");
  }
  if (!errors.empty()) return errors.ToError("the listing is invalid");
  if (!people::HoldsPermission(caller, "evaluation.read", I.NowMs())) {
    return Error(ErrorCode::kForbidden, "missing permission 'evaluation.read'");
  }
  return I.db.Transaction<EvaluationPage>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<EvaluationPage> {
        EvaluationPage page;
        EvalRow r;
        std::string region = RegionPattern(query.region);
        std::string level = query.level ? std::string(LevelName(*query.level)) : std::string();
        long long bad = query.bad_only ? 1 : 0, lim = query.limit;
        std::string last;
        const int rows = store::ExecuteRows(
            sql, I.Q("list_evaluations"),
            [&] {
              last = r.id;
              const people::Target target{
                  .region = r.region, .department = r.department, .matter = r.matter};
              if (people::Authorize(caller, "evaluation.read", target, I.NowMs()).ok()) {
                page.items.push_back(r.ToModel());
              }
            },
            soci::use(query.before, "before"), soci::use(region, "region"),
            soci::use(query.department, "department"), soci::use(level, "level"),
            soci::use(bad, "bad_only"), soci::use(lim, "limit"), soci::into(r.id),
            soci::into(r.source), soci::into(r.case_number), soci::into(r.visit_id),
            soci::into(r.region), soci::into(r.department), soci::into(r.matter),
            soci::into(r.window), soci::into(r.level), soci::into(r.tags), soci::into(r.text),
            soci::into(r.rater_account), soci::into(r.named), soci::into(r.created_at),
            soci::into(r.voided), soci::into(r.rectification_id));
        // A full page may have more behind it (even when some rows were outside the grants).
        if (rows == query.limit) page.next_cursor = last;
        return page;
      });
}

Result<int> EvaluationService::InviteDue() {
  Impl& I = *impl_;
  const long long now = I.NowMs(), cutoff = now - I.options.invite_after_ms,
                  oldest = cutoff - I.options.invite_window_ms;
  auto sent = I.db.Transaction<int>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<int> {
    struct Due {
      std::string id, number, account, kind, code;
    };
    std::vector<Due> due;
    Due d;
    store::ExecuteRows(
        sql, I.Q("select_invite_due"), [&] { due.push_back(d); }, soci::use(cutoff, "cutoff"),
        soci::use(oldest, "oldest"), soci::into(d.id), soci::into(d.number), soci::into(d.account),
        soci::into(d.kind), soci::into(d.code));
    int n = 0;
    for (const Due& c : due) {
      auto done = store::Execute(sql, I.Q("insert_invitation"), soci::use(c.number, "case_number"),
                                 soci::use(now, "sent_at"));
      if (done.affected_rows != 1) continue;  // another run invited it
      TB_RETURN_IF_ERROR(I.QueueNotice(
          sql, c.number, c.account, c.kind == "person" ? c.code : std::string(), "evaluation",
          fmt::format("您的办件 {} 已办理完毕，欢迎对本次服务作出评价（非常满意、满意、基本满意、"
                      "不满意、非常不满意），登录后在“我的办件”中评价。",
                      c.number)));
      ++n;
    }
    return n;
  });
  if (sent.ok() && *sent > 0) I.AfterNotices();
  return sent;
}

}  // namespace tongban::evaluation
