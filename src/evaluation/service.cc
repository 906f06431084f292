// The evaluation service: ratings, QR tokens, invitations, rectification and statistics. Case
// facts (state, applicant, department) are read from case_record by number; notices go into the
// case notice outbox (case_notice), which the case service drains by SMS.
#include "evaluation/service.h"

#include <fmt/format.h>
#include <soci/soci.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "base/embedded.h"
#include "base/id.h"
#include "crypto/sm3.h"
#include "crypto/sm4.h"
#include "people/authorization.h"
#include "people/clock.h"
#include "store/queries.h"

namespace tongban {
extern const EmbeddedFile kEvaluationSql[];
extern const size_t kEvaluationSql_count;
}  // namespace tongban

namespace tongban::evaluation {
namespace {

using people::Principal;

constexpr size_t kMaxText = 500;

int64_t Ms(Timestamp t) {
  return std::chrono::floor<std::chrono::milliseconds>(t).time_since_epoch().count();
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& t : tags) {
    if (!out.empty()) out += '\n';
    out += t;
  }
  return out;
}

std::vector<std::string> SplitTags(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The LIKE pattern of a region's subtree; "%" for everywhere.
std::string RegionPattern(const std::string& region) {
  if (region.empty()) return "%";
  return people::RegionPrefix(region) + "%";
}

bool IsStaff(const Principal& p) { return p.account.kind == people::AccountKind::kStaff; }

Error StaffMayNotRate() {
  return Error(ErrorCode::kForbidden,
               "a rating is given by the applicant: a staff account may not enter or steer one");
}

// The case facts a rating needs.
// What a rating and its rectification item (state "" when none) contribute to evaluation_stat.
struct StatValues {
  long long rated = 0, rectifications = 0, rectified = 0, named_bad = 0, called_back = 0;
};

StatValues Contribution(bool voided, const std::string& rect_state, bool named,
                        int64_t callback_at) {
  StatValues v;
  v.rated = voided ? 0 : 1;
  if (rect_state.empty() || rect_state == "voided") return v;
  v.rectifications = 1;
  v.rectified = rect_state == "rectified" || rect_state == "explained" ? 1 : 0;
  v.named_bad = named ? 1 : 0;
  v.called_back = named && callback_at > 0 ? 1 : 0;
  return v;
}

struct CaseFacts {
  std::string id, number, state, region, department, matter, applicant_kind, applicant_code,
      submitted_by, agent_account, window;
  long long updated_at = 0;
};

struct RectRow {
  std::string id, evaluation_id, case_number, visit_id, region, department, matter, window, level,
      rater_account, rater_code, state, due_on, callback_outcome, callback_note, action_note,
      acted_by, review_decision, review_note, reviewed_by, applicant_level, tags, text;
  long long named = 0, opened_at = 0, callback_at = 0, acted_at = 0;

  void Bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(evaluation_id));
    st.exchange(soci::into(case_number));
    st.exchange(soci::into(visit_id));
    st.exchange(soci::into(region));
    st.exchange(soci::into(department));
    st.exchange(soci::into(matter));
    st.exchange(soci::into(window));
    st.exchange(soci::into(level));
    st.exchange(soci::into(named));
    st.exchange(soci::into(rater_account));
    st.exchange(soci::into(rater_code));
    st.exchange(soci::into(state));
    st.exchange(soci::into(opened_at));
    st.exchange(soci::into(due_on));
    st.exchange(soci::into(callback_at));
    st.exchange(soci::into(callback_outcome));
    st.exchange(soci::into(callback_note));
    st.exchange(soci::into(action_note));
    st.exchange(soci::into(acted_by));
    st.exchange(soci::into(acted_at));
    st.exchange(soci::into(review_decision));
    st.exchange(soci::into(review_note));
    st.exchange(soci::into(reviewed_by));
    st.exchange(soci::into(applicant_level));
    st.exchange(soci::into(tags));
    st.exchange(soci::into(text));
  }

  Rectification ToModel(Date today) const {
    Rectification r;
    r.id = id;
    r.evaluation_id = evaluation_id;
    r.case_number = case_number;
    r.visit_id = visit_id;
    r.region = region;
    r.department = department;
    r.matter = matter;
    r.window = window;
    r.level = ParseLevel(level).value_or(Level::kDissatisfied);
    r.tags = SplitTags(tags);
    r.text = text;
    r.named = named != 0;
    r.rater_account = rater_account;
    r.state = ParseRectificationState(state).value_or(RectificationState::kOpen);
    r.opened_at = opened_at;
    if (auto d = Date::Parse(due_on); d.ok()) r.due_on = *d;
    r.overdue =
        (r.state == RectificationState::kOpen || r.state == RectificationState::kAppealed) &&
        today > r.due_on;
    r.callback_at = callback_at;
    r.callback_outcome = ParseCallbackOutcome(callback_outcome);
    r.callback_note = callback_note;
    r.action_note = action_note;
    r.acted_by = acted_by;
    r.acted_at = acted_at;
    r.review_decision = ParseReviewDecision(review_decision);
    r.review_note = review_note;
    r.reviewed_by = reviewed_by;
    r.applicant_level = ParseLevel(applicant_level);
    return r;
  }
};

struct EvalRow {
  std::string id, source, case_number, visit_id, region, department, matter, window, level, tags,
      text, rater_account, rectification_id;
  long long named = 0, created_at = 0, voided = 0;

  Evaluation ToModel() const {
    Evaluation e;
    e.id = id;
    e.source = ParseSource(source).value_or(Source::kOnline);
    e.case_number = case_number;
    e.visit_id = visit_id;
    e.region = region;
    e.department = department;
    e.matter = matter;
    e.window = window;
    e.level = ParseLevel(level).value_or(Level::kVerySatisfied);
    e.tags = SplitTags(tags);
    e.text = text;
    e.rater_account = rater_account;
    e.named = named != 0;
    e.created_at = created_at;
    e.voided = voided != 0;
    e.rectification_id = rectification_id;
    return e;
  }
};

}  // namespace

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("evaluation", kEvaluationSql, kEvaluationSql_count);
}

Status ParseRegionLimits(std::string_view text, std::vector<RegionLimit>& limits,
                         int& default_days) {
  FieldErrors errors;
  std::vector<RegionLimit> out;
  int fallback = default_days;
  size_t start = 0, index = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view entry = text.substr(start, end - start);
    const std::string field = fmt::format("rectification_limits/{}", index++);
    start = end + 1;
    const size_t colon = entry.find(':');
    int days = -1;
    if (colon != std::string_view::npos) {
      const std::string_view d = entry.substr(colon + 1);
      auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), days);
      if (ec != std::errc() || p != d.data() + d.size()) days = -1;
    }
    if (days < 0 || days > 60) {
      errors.Add(field, "must be REGION:DAYS with 0 to 60 working days");
      continue;
    }
    const std::string region(entry.substr(0, colon));
    if (region == "*") {
      fallback = days;
    } else if (people::IsRegionCode(region)) {
      out.push_back({.region = region, .working_days = days});
    } else {
      errors.Add(field, fmt::format("'{}' is not a region code or *", region));
    }
  }
  if (!errors.empty()) return errors.ToError("the rectification limits are invalid");
  limits = std::move(out);
  default_days = fallback;
  return Ok();
}

std::map<Level, std::vector<std::string>> DefaultTags() {
  return {
      {Level::kVerySatisfied, {"办事效率高", "服务态度好", "一次办成", "流程简便", "材料精简"}},
      {Level::kSatisfied, {"办事效率高", "服务态度好", "流程简便"}},
      {Level::kBasicallySatisfied, {"等待时间较长", "指引不够清楚"}},
      {Level::kDissatisfied,
       {"等待时间长", "材料要求多", "多次跑动", "未一次性告知", "服务态度差", "系统不好用"}},
      {Level::kVeryDissatisfied,
       {"等待时间长", "材料要求多", "多次跑动", "未一次性告知", "服务态度差", "推诿扯皮",
        "超时办理"}},
  };
}

struct EvaluationService::Impl {
  store::Database& db;
  EvaluationOptions options;
  store::QuerySet queries;
  std::unique_ptr<Calendar> own_calendar;
  std::string token_key;

  Impl(store::Database& d, EvaluationOptions o, store::QuerySet q)
      : db(d), options(std::move(o)), queries(std::move(q)) {}

  const Clock& clock() const {
    return options.clock != nullptr ? *options.clock : SystemClock::Instance();
  }
  const Calendar& calendar() const {
    return options.calendar != nullptr ? *options.calendar : *own_calendar;
  }
  int64_t NowMs() const { return Ms(clock().Now()); }
  Date Today() const { return TodayInChina(clock()); }
  const std::string& Q(std::string_view name) const { return queries.Get(name, db.backend()); }

  int64_t At() const { return NowMs(); }

  Status Trace(soci::session& sql, std::string stream, const Principal* actor, std::string action,
               std::string payload) const {
    if (options.trace == nullptr) return Ok();
    auto r = options.trace->Append(sql, {.stream = std::move(stream),
                                         .actor = actor != nullptr ? actor->account.id : "system",
                                         .action = std::move(action),
                                         .payload = std::move(payload)});
    if (!r.ok()) return std::move(r).error();
    return Ok();
  }

  std::optional<CaseFacts> ReadCase(soci::session& sql, const std::string& number) const {
    CaseFacts c;
    auto done = store::Execute(
        sql, Q("select_case"), soci::use(number, "number"), soci::into(c.id), soci::into(c.number),
        soci::into(c.state), soci::into(c.region), soci::into(c.department), soci::into(c.matter),
        soci::into(c.applicant_kind), soci::into(c.applicant_code), soci::into(c.submitted_by),
        soci::into(c.agent_account), soci::into(c.updated_at), soci::into(c.window));
    if (!done.got_data) return std::nullopt;
    return c;
  }

  std::optional<Visit> ReadVisit(soci::session& sql, const std::string& id) const {
    Visit v;
    std::string channel;
    long long opened = 0;
    auto done = store::Execute(
        sql, Q("select_visit"), soci::use(id, "id"), soci::into(v.id), soci::into(v.case_number),
        soci::into(channel), soci::into(v.window), soci::into(v.terminal), soci::into(v.region),
        soci::into(v.department), soci::into(v.matter), soci::into(v.clerk_account),
        soci::into(v.applicant_account), soci::into(v.applicant_code), soci::into(opened),
        soci::into(v.evaluation_id));
    if (!done.got_data) return std::nullopt;
    v.channel = ParseVisitChannel(channel).value_or(VisitChannel::kWindow);
    v.opened_at = opened;
    return v;
  }

  // Every problem of `input` at once: tags must be on the level's list, no repeats, text short.
  Status CheckInput(const RatingInput& input) const {
    FieldErrors errors;
    const auto& lists = options.tags;
    auto it = lists.find(input.level);
    std::set<std::string> seen;
    for (size_t i = 0; i < input.tags.size(); ++i) {
      const std::string& t = input.tags[i];
      const bool known = it != lists.end() &&
                         std::find(it->second.begin(), it->second.end(), t) != it->second.end();
      if (!known) {
        errors.Add(fmt::format("tags/{}", i),
                   fmt::format("'{}' is not a tag of {}", t, LevelName(input.level)));
      } else if (!seen.insert(t).second) {
        errors.Add(fmt::format("tags/{}", i), "is repeated");
      }
    }
    if (input.text.size() > kMaxText) {
      errors.Add("text", fmt::format("must be at most {} bytes", kMaxText));
    }
    if (!errors.empty()) return errors.ToError("the rating is invalid");
    return Ok();
  }

  Status QueueNotice(soci::session& sql, const std::string& case_number, const std::string& account,
                     const std::string& applicant_code, std::string_view kind,
                     const std::string& text) const {
    if (case_number.empty()) return Ok();  // a visit without a case: no outbox to write to
    auto c = ReadCase(sql, case_number);
    if (!c) return Ok();
    std::string id = NewId(clock()), kind_text(kind);
    const std::string& to = account.empty() ? c->submitted_by : account;
    std::string code = !applicant_code.empty()         ? applicant_code
                       : c->applicant_kind == "person" ? c->applicant_code
                                                       : std::string();
    long long now = NowMs();
    store::Execute(sql, Q("insert_notice"), soci::use(id, "id"), soci::use(c->id, "case_id"),
                   soci::use(c->number, "case_number"), soci::use(to, "account_id"),
                   soci::use(code, "applicant_code"), soci::use(kind_text, "kind"),
                   soci::use(text, "text"), soci::use(now, "created_at"));
    return Ok();
  }

  void AfterNotices() const {
    if (options.after_notices) options.after_notices();
  }

  // Writes one rating, and a rectification item for a bad one, in `sql`'s transaction.
  Result<Evaluation> Insert(soci::session& sql, Evaluation e, const std::string& rater_code,
                            const Principal* actor) const {
    e.id = NewId(clock());
    e.created_at = NowMs();
    std::string source(SourceName(e.source)), level(LevelName(e.level)), tags = JoinTags(e.tags);
    long long named = e.named ? 1 : 0, created = e.created_at;
    store::Execute(sql, Q("insert_evaluation"), soci::use(e.id, "id"), soci::use(source, "source"),
                   soci::use(e.case_number, "case_number"), soci::use(e.visit_id, "visit_id"),
                   soci::use(e.region, "region"), soci::use(e.department, "department"),
                   soci::use(e.matter, "matter"), soci::use(e.window, "window_code"),
                   soci::use(level, "level"), soci::use(tags, "tags"), soci::use(e.text, "text"),
                   soci::use(e.rater_account, "rater_account"), soci::use(rater_code, "rater_code"),
                   soci::use(named, "named"), soci::use(created, "created_at"));
    TB_RETURN_IF_ERROR(Trace(sql, "evaluation/" + e.id, actor, "evaluation.rated",
                             fmt::format(R"({{"source":"{}","level":"{}","case":"{}"}})", source,
                                         level, e.case_number)));
    if (!IsGood(e.level)) {
      e.rectification_id = NewId(clock());
      TB_ASSIGN_OR_RETURN(CalendarDate due,
                          calendar().AddWorkingDays(Today(), LimitDays(e.region)));
      std::string due_on = due.date.ToString();
      store::Execute(sql, Q("insert_rectification"), soci::use(e.rectification_id, "id"),
                     soci::use(e.id, "evaluation_id"), soci::use(e.case_number, "case_number"),
                     soci::use(e.visit_id, "visit_id"), soci::use(e.region, "region"),
                     soci::use(e.department, "department"), soci::use(e.matter, "matter"),
                     soci::use(e.window, "window_code"), soci::use(level, "level"),
                     soci::use(named, "named"), soci::use(e.rater_account, "rater_account"),
                     soci::use(rater_code, "rater_code"), soci::use(created, "opened_at"),
                     soci::use(due_on, "due_on"));
      TB_RETURN_IF_ERROR(
          Trace(sql, "rectification/" + e.rectification_id, actor, "rectification.opened",
                fmt::format(R"({{"evaluation":"{}","department":"{}","due_on":"{}"}})", e.id,
                            e.department, due_on)));
    }
    AddStat(sql, e.created_at, e.region, e.department, e.matter, e.window, level,
            Contribution(false, IsGood(e.level) ? "" : "open", e.named, 0), 1);
    return e;
  }

  // evaluation_stat += sign × v for the rating given at `created_at` with this key.
  void AddStat(soci::session& sql, int64_t created_at, const std::string& region,
               const std::string& department, const std::string& matter, const std::string& window,
               const std::string& level, const StatValues& v, int sign) const {
    if (v.rated == 0 && v.rectifications == 0) return;  // nothing counted
    std::string day = DateInChina(people::FromEpochMs(created_at)).ToString();
    long long rated = sign * v.rated, rectifications = sign * v.rectifications,
              rectified = sign * v.rectified, named_bad = sign * v.named_bad,
              called_back = sign * v.called_back;
    store::Execute(sql, Q("add_stat"), soci::use(day, "day"), soci::use(region, "region"),
                   soci::use(department, "department"), soci::use(matter, "matter"),
                   soci::use(window, "window_code"), soci::use(level, "level"),
                   soci::use(rated, "rated"), soci::use(rectifications, "rectifications"),
                   soci::use(rectified, "rectified"), soci::use(named_bad, "named_bad"),
                   soci::use(called_back, "called_back"));
  }

  int LimitDays(std::string_view region) const {
    size_t best = 0;
    int days = options.default_limit_days;
    for (const RegionLimit& l : options.limits) {
      if (!people::IsRegionCode(l.region)) continue;
      const std::string prefix = people::RegionPrefix(l.region);
      if (region.substr(0, prefix.size()) == prefix && prefix.size() >= best) {
        best = prefix.size();
        days = l.working_days;
      }
    }
    return days;
  }

  std::optional<RectRow> ReadRect(soci::session& sql, const std::string& id) const {
    RectRow row;
    soci::statement st(sql);
    row.Bind(st);
    st.exchange(soci::use(id, "id"));
    st.alloc();
    st.prepare(Q("select_rectification"));
    st.define_and_bind();
    if (!st.execute(true)) return std::nullopt;
    return row;
  }

  // The signed token text: visit.expires.nonce.mac (hex), MAC = HMAC-SM3 over the first three.
  std::string SignToken(const std::string& visit, int64_t expires) const {
    std::string body =
        fmt::format("{}.{}.{}", visit, expires, crypto::ToHex(crypto::RandomBytes(12)));
    auto mac = crypto::HmacSm3(token_key, body);
    return body + "." + crypto::ToHex(std::span<const uint8_t>(mac.data(), mac.size()));
  }

  // The visit of a well-signed token, or kForbidden.
  Result<std::string> VerifyToken(std::string_view token) const {
    const size_t last = token.rfind('.');
    if (last == std::string_view::npos) {
      return Error(ErrorCode::kForbidden, "the evaluation token is not valid");
    }
    const std::string_view body = token.substr(0, last);
    auto mac = crypto::HmacSm3(token_key, body);
    if (crypto::ToHex(std::span<const uint8_t>(mac.data(), mac.size())) != token.substr(last + 1)) {
      return Error(ErrorCode::kForbidden, "the evaluation token is not valid");
    }
    return std::string(body.substr(0, body.find('.')));
  }

  // The update of a rectification's mutable columns, guarded by the state read.
  Status Update(soci::session& sql, const RectRow& r, const std::string& old_state) const {
    long long now = NowMs();
    auto done = store::Execute(
        sql, Q("update_rectification"), soci::use(r.state, "state"),
        soci::use(r.callback_at, "callback_at"), soci::use(r.callback_outcome, "callback_outcome"),
        soci::use(r.callback_note, "callback_note"), soci::use(r.action_note, "action_note"),
        soci::use(r.acted_by, "acted_by"), soci::use(r.acted_at, "acted_at"),
        soci::use(r.review_decision, "review_decision"), soci::use(r.review_note, "review_note"),
        soci::use(r.reviewed_by, "reviewed_by"), soci::use(r.applicant_level, "applicant_level"),
        soci::use(now, "updated_at"), soci::use(r.id, "id"), soci::use(old_state, "old_state"));
    if (done.affected_rows != 1) {
      return Error(
          ErrorCode::kConflict,
          fmt::format("rectification {} was changed at the same time; read it again", r.id));
    }
    return Ok();
  }

  // Runs one step of a rectification item: reads it, checks `permission` over its department
  // and region (an empty permission: no check), lets `step` change the row, writes it with its
  // trace event and, when `notice` is set by the step, the applicant's notice.
  Result<Rectification> Step(const Principal& caller, std::string_view id,
                             std::string_view permission, std::string_view action,
                             const std::function<Status(RectRow&, std::string& notice)>& step) {
    const std::string key(id);
    bool queued = false;
    auto out = db.Transaction<Rectification>(
        store::TxKind::kWrite, [&](soci::session& sql) -> Result<Rectification> {
          auto row = ReadRect(sql, key);
          if (!row) return Error(ErrorCode::kNotFound, fmt::format("no rectification {}", key));
          if (!permission.empty()) {
            TB_RETURN_IF_ERROR(people::Authorize(
                caller, permission,
                {.region = row->region, .department = row->department, .matter = row->matter},
                NowMs()));
          }
          const std::string old_state = row->state;
          const StatValues before =
              Contribution(old_state == "voided", old_state, row->named != 0, row->callback_at);
          std::string notice;
          TB_RETURN_IF_ERROR(step(*row, notice));
          TB_RETURN_IF_ERROR(Update(sql, *row, old_state));
          // The item's (and, when voided, its rating's) change of the pre-aggregated rows.
          const StatValues after =
              Contribution(row->state == "voided", row->state, row->named != 0, row->callback_at);
          AddStat(sql, row->opened_at, row->region, row->department, row->matter, row->window,
                  row->level, before, -1);
          AddStat(sql, row->opened_at, row->region, row->department, row->matter, row->window,
                  row->level, after, 1);
          if (row->state == "voided") {
            // Excluded from statistics, kept for the record.
            store::Execute(sql, Q("void_evaluation"), soci::use(row->evaluation_id, "id"));
          }
          TB_RETURN_IF_ERROR(Trace(sql, "rectification/" + key, &caller, std::string(action),
                                   fmt::format(R"({{"state":"{}"}})", row->state)));
          if (!notice.empty()) {
            TB_RETURN_IF_ERROR(QueueNotice(sql, row->case_number, row->rater_account,
                                           row->rater_code, "evaluation", notice));
            queued = !row->case_number.empty();
          }
          return row->ToModel(Today());
        });
    if (out.ok() && queued) AfterNotices();
    return out;
  }
};

EvaluationService::EvaluationService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EvaluationService::~EvaluationService() = default;

Result<std::unique_ptr<EvaluationService>> EvaluationService::Create(store::Database& db,
                                                                     EvaluationOptions options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kEvaluationSql, kEvaluationSql_count));
  FieldErrors errors;
  for (size_t i = 0; i < options.limits.size(); ++i) {
    const RegionLimit& l = options.limits[i];
    if (!people::IsRegionCode(l.region)) {
      errors.Add(fmt::format("limits/{}/region", i), "must be a region code");
    }
    if (l.working_days < 0 || l.working_days > 60) {
      errors.Add(fmt::format("limits/{}/working_days", i), "must be between 0 and 60");
    }
  }
  if (options.default_limit_days < 0 || options.default_limit_days > 60) {
    errors.Add("default_limit_days", "must be between 0 and 60");
  }
  if (!errors.empty()) return errors.ToError("the evaluation configuration is invalid");
  if (options.tags.empty()) options.tags = DefaultTags();
  auto impl = std::make_unique<Impl>(db, std::move(options), std::move(queries));
  if (impl->options.calendar == nullptr) impl->own_calendar = Calendar::WithEmbeddedSchedules();
  impl->token_key =
      impl->options.token_key.empty() ? crypto::RandomBytes(32) : impl->options.token_key;
  std::unique_ptr<EvaluationService> service(new EvaluationService(std::move(impl)));
  // Ratings given before evaluation_stat existed: its rows are computed once.
  auto unaggregated =
      db.Transaction<bool>(store::TxKind::kRead, [](soci::session& sql) -> Result<bool> {
        long long stats = 0, ratings = 0;
        sql << "SELECT COUNT(*) FROM evaluation_stat", soci::into(stats);
        sql << "SELECT COUNT(*) FROM evaluation", soci::into(ratings);
        return stats == 0 && ratings > 0;
      });
  if (unaggregated.ok() && *unaggregated) {
    TB_ASSIGN_OR_RETURN(int64_t rebuilt, service->RebuildStatistics());
    (void)rebuilt;
  }
  return service;
}

int EvaluationService::LimitDays(std::string_view region) const { return impl_->LimitDays(region); }
const std::map<Level, std::vector<std::string>>& EvaluationService::tags() const {
  return impl_->options.tags;
}
Date EvaluationService::Today() const { return impl_->Today(); }

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

Result<Rectification> EvaluationService::GetRectification(const Principal& caller,
                                                          std::string_view id) {
  Impl& I = *impl_;
  const std::string key(id);
  return I.db.Transaction<Rectification>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<Rectification> {
        auto row = I.ReadRect(sql, key);
        if (!row) return Error(ErrorCode::kNotFound, fmt::format("no rectification {}", key));
        const people::Target target{
            .region = row->region, .department = row->department, .matter = row->matter};
        const int64_t now = I.NowMs();
        const bool applicant =
            !row->rater_account.empty() && row->rater_account == caller.account.id;
        if (!applicant && !people::Authorize(caller, "evaluation.read", target, now).ok() &&
            !people::Authorize(caller, "evaluation.rectify", target, now).ok()) {
          TB_RETURN_IF_ERROR(people::Authorize(caller, "evaluation.review", target, now));
        }
        return row->ToModel(I.Today());
      });
}

Result<std::vector<Rectification>> EvaluationService::ListRectifications(
    const Principal& caller, const RectificationQuery& query) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (query.limit < 1 || query.limit > 500) errors.Add("limit", "must be between 1 and 500");
  if (!query.region.empty() && !people::IsRegionCode(query.region)) {
    errors.Add("region", "must be a region code");
  }
  if (!errors.empty()) return errors.ToError("the listing is invalid");
  const int64_t now = I.NowMs();
  const std::vector<std::string_view> perms = {"evaluation.read", "evaluation.rectify",
                                               "evaluation.review"};
  if (std::none_of(perms.begin(), perms.end(),
                   [&](std::string_view p) { return people::HoldsPermission(caller, p, now); })) {
    return Error(ErrorCode::kForbidden, "missing permission 'evaluation.read'");
  }
  return I.db.Transaction<std::vector<Rectification>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Rectification>> {
        std::vector<Rectification> out;
        RectRow row;
        std::string region = RegionPattern(query.region);
        std::string state =
            query.state ? std::string(RectificationStateName(*query.state)) : std::string();
        std::string overdue_before = query.overdue ? I.Today().ToString() : std::string();
        long long lim = query.limit;
        soci::statement st(sql);
        row.Bind(st);
        st.exchange(soci::use(region, "region"));
        st.exchange(soci::use(query.department, "department"));
        st.exchange(soci::use(state, "state"));
        st.exchange(soci::use(overdue_before, "overdue_before"));
        st.exchange(soci::use(lim, "limit"));
        st.alloc();
        st.prepare(I.Q("list_rectifications"));
        st.define_and_bind();
        if (st.execute(true)) {
          do {
            const people::Target target{
                .region = row.region, .department = row.department, .matter = row.matter};
            if (std::any_of(perms.begin(), perms.end(), [&](std::string_view p) {
                  return people::Authorize(caller, p, target, now).ok();
                })) {
              out.push_back(row.ToModel(I.Today()));
            }
          } while (st.fetch());
        }
        return out;
      });
}

namespace {

Error WrongState(const RectRow& r, std::string_view what) {
  return Error(ErrorCode::kRefused, fmt::format("rectification {} is {}: {}", r.id, r.state, what));
}

Status NeedNote(const std::string& note, std::string_view field) {
  if (note.empty() || note.size() > 2000) {
    FieldErrors e;
    e.Add(std::string(field), "is required, at most 2000 bytes");
    return e.ToError("the step is invalid");
  }
  return Ok();
}

}  // namespace

Result<Rectification> EvaluationService::RecordCallback(const Principal& caller,
                                                        std::string_view id,
                                                        CallbackOutcome outcome, std::string note) {
  Impl& I = *impl_;
  return I.Step(caller, id, "evaluation.rectify", "rectification.callback",
                [&](RectRow& r, std::string&) -> Status {
                  if (r.named == 0) {
                    return Error(ErrorCode::kRefused,
                                 "the rating is anonymous: there is nobody to call back");
                  }
                  if (r.callback_at != 0) {
                    return Error(ErrorCode::kConflict,
                                 fmt::format("rectification {} was called back already", r.id));
                  }
                  if (r.state == "voided") return WrongState(r, "nothing to call back");
                  r.callback_at = I.NowMs();
                  r.callback_outcome = std::string(CallbackOutcomeName(outcome));
                  r.callback_note = note;
                  return Ok();
                });
}

Result<Rectification> EvaluationService::Rectify(const Principal& caller, std::string_view id,
                                                 std::string note) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(NeedNote(note, "note"));
  return I.Step(caller, id, "evaluation.rectify", "rectification.rectified",
                [&](RectRow& r, std::string& notice) -> Status {
                  if (r.state != "open") return WrongState(r, "only an open item is rectified");
                  if (r.named != 0 && r.callback_at == 0) {
                    return Error(ErrorCode::kRefused,
                                 "call the applicant back first (回访核实), then rectify");
                  }
                  r.state = "rectified";
                  r.action_note = note;
                  r.acted_by = caller.account.id;
                  r.acted_at = I.NowMs();
                  notice = fmt::format("您的差评已整改：{}。欢迎对整改结果评价。", note);
                  return Ok();
                });
}

Result<Rectification> EvaluationService::Explain(const Principal& caller, std::string_view id,
                                                 std::string note) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(NeedNote(note, "note"));
  return I.Step(caller, id, "evaluation.rectify", "rectification.explained",
                [&](RectRow& r, std::string& notice) -> Status {
                  if (r.state != "open") return WrongState(r, "only an open item is explained");
                  if (r.named != 0 && r.callback_at == 0) {
                    return Error(ErrorCode::kRefused,
                                 "call the applicant back first (回访核实), then explain");
                  }
                  r.state = "explained";
                  r.action_note = note;
                  r.acted_by = caller.account.id;
                  r.acted_at = I.NowMs();
                  notice =
                      fmt::format("关于您的差评，承办部门解释说明如下：{}。欢迎对答复评价。", note);
                  return Ok();
                });
}

Result<Rectification> EvaluationService::Appeal(const Principal& caller, std::string_view id,
                                                std::string reason) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(NeedNote(reason, "reason"));
  return I.Step(caller, id, "evaluation.rectify", "rectification.appealed",
                [&](RectRow& r, std::string&) -> Status {
                  if (r.state != "open") return WrongState(r, "only an open item is appealed");
                  r.state = "appealed";
                  r.action_note = reason;
                  r.acted_by = caller.account.id;
                  r.acted_at = I.NowMs();
                  return Ok();
                });
}

Result<Rectification> EvaluationService::Review(const Principal& caller, std::string_view id,
                                                ReviewDecision decision, std::string note) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(NeedNote(note, "note"));
  auto out = I.Step(
      caller, id, "evaluation.review", "rectification.reviewed",
      [&](RectRow& r, std::string& notice) -> Status {
        if (r.state != "appealed") return WrongState(r, "only an appealed item is reviewed");
        if (r.acted_by == caller.account.id) {
          return Error(ErrorCode::kForbidden, "the appeal is reviewed by somebody else");
        }
        r.review_decision = std::string(ReviewDecisionName(decision));
        r.review_note = note;
        r.reviewed_by = caller.account.id;
        if (decision == ReviewDecision::kVoid) {
          r.state = "voided";
          notice = fmt::format("经复核，您的评价被认定为误评或恶意评价，不计入统计：{}。", note);
        } else {
          r.state = "open";
          notice = fmt::format("经复核，您的评价成立，承办部门将继续整改：{}。", note);
        }
        return Ok();
      });
  return out;
}

Result<Rectification> EvaluationService::RateRectification(const Principal& caller,
                                                           std::string_view id, Level level) {
  Impl& I = *impl_;
  if (IsStaff(caller)) return StaffMayNotRate();
  return I.Step(caller, id, "", "rectification.rated", [&](RectRow& r, std::string&) -> Status {
    const bool own = !r.rater_account.empty() && r.rater_account == caller.account.id;
    if (!own) {
      return Error(ErrorCode::kForbidden,
                   "only the applicant who gave the rating rates its rectification");
    }
    if (r.state != "rectified" && r.state != "explained") {
      return WrongState(r, "it is rated once rectified or explained");
    }
    if (!r.applicant_level.empty()) {
      return Error(ErrorCode::kConflict, fmt::format("rectification {} is rated already", r.id));
    }
    r.applicant_level = std::string(LevelName(level));
    return Ok();
  });
}

Result<Statistics> EvaluationService::ComputeStatistics(const StatisticsQuery& query) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (!query.region.empty() && !people::IsRegionCode(query.region)) {
    errors.Add("region", "must be a region code");
  }
  if (query.from && query.to && *query.from > *query.to) errors.Add("to", "is before from");
  if (!errors.empty()) return errors.ToError("the statistics query is invalid");
  const long long from = query.from ? Ms(StartOfDayInChina(*query.from)) : 0;
  const long long to =
      query.to ? Ms(StartOfDayInChina(query.to->AddDays(1))) : std::numeric_limits<int64_t>::max();
  std::string column;
  switch (query.by) {
    case Dimension::kDepartment:
      column = "department_code";
      break;
    case Dimension::kMatter:
      column = "matter_code";
      break;
    case Dimension::kWindow:
      column = "window_code";
      break;
    case Dimension::kRegion:
      column = "region_code";
      break;
  }
  auto with_key = [&](std::string_view name) {
    std::string q = I.Q(name);
    for (size_t at = q.find("__key__"); at != std::string::npos; at = q.find("__key__")) {
      q.replace(at, 7, column);
    }
    return q;
  };
  const std::string region = RegionPattern(query.region);
  const std::string from_day = query.from ? query.from->ToString() : "0000-00-00",
                    to_day = query.to ? query.to->ToString() : "9999-99-99";
  return I.db.Transaction<Statistics>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<Statistics> {
        std::map<std::string, StatisticsRow> rows;
        std::string key, level;
        long long n = 0, rectified = 0, named = 0, called = 0;
        // The pre-aggregated rows (evaluation_stat), by day: exact for whole CST days.
        long long rated = 0;
        store::ExecuteRows(
            sql, with_key("statistics_aggregates"),
            [&] {
              auto l = ParseLevel(level);
              if (!l || (query.by == Dimension::kWindow && key.empty())) return;
              StatisticsRow& r = rows[key];
              r.by_level[static_cast<size_t>(*l)] += rated;
              r.rated += rated;
              (IsGood(*l) ? r.good : r.bad) += rated;
              r.rectified += rectified;
              r.named_bad += named;
              r.called_back += called;
            },
            soci::use(from_day, "from_day"), soci::use(to_day, "to_day"),
            soci::use(region, "region"), soci::into(key), soci::into(level), soci::into(rated),
            soci::into(n), soci::into(rectified), soci::into(named), soci::into(called));
        // By window: unrated visits and unrated cases the window took in (online cases have none).
        std::vector<std::string> unrated = {with_key("statistics_unrated")};
        if (query.by == Dimension::kWindow) unrated.push_back(I.Q("statistics_unrated_visits"));
        for (const std::string& text : unrated) {
          store::ExecuteRows(
              sql, text,
              [&] {
                if (query.by != Dimension::kWindow || !key.empty()) rows[key].unrated += n;
              },
              soci::use(from, "from"), soci::use(to, "to"), soci::use(region, "region"),
              soci::into(key), soci::into(n));
        }
        Statistics out;
        auto rates = [](StatisticsRow& r) {
          if (r.rated > 0) r.good_rate = static_cast<double>(r.good) / static_cast<double>(r.rated);
          if (r.bad > 0) {
            r.rectification_rate = static_cast<double>(r.rectified) / static_cast<double>(r.bad);
          }
          if (r.named_bad > 0) {
            r.callback_rate = static_cast<double>(r.called_back) / static_cast<double>(r.named_bad);
          }
        };
        for (auto& [k, r] : rows) {
          r.key = k;
          rates(r);
          out.total.rated += r.rated;
          out.total.good += r.good;
          out.total.bad += r.bad;
          for (int i = 0; i < kLevelCount; ++i) out.total.by_level[i] += r.by_level[i];
          out.total.unrated += r.unrated;
          out.total.rectified += r.rectified;
          out.total.named_bad += r.named_bad;
          out.total.called_back += r.called_back;
          out.rows.push_back(r);
        }
        rates(out.total);
        return out;
      });
}

Result<int64_t> EvaluationService::RebuildStatistics() {
  Impl& I = *impl_;
  return I.db.Transaction<int64_t>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<int64_t> {
        // Summed per day and key first: one upsert per row of evaluation_stat.
        using Key = std::tuple<std::string, std::string, std::string, std::string, std::string,
                               std::string>;
        std::map<Key, std::pair<int64_t, StatValues>> sums;
        int64_t read = 0;
        long long created = 0, voided = 0, named = 0, callback = 0;
        std::string region, department, matter, window, level, state;
        store::ExecuteRows(
            sql, I.Q("select_stat_sources"),
            [&] {
              ++read;
              const StatValues v = Contribution(voided != 0, state, named != 0, callback);
              auto& [at, sum] = sums[Key{DateInChina(people::FromEpochMs(created)).ToString(),
                                         region, department, matter, window, level}];
              at = created;
              sum.rated += v.rated;
              sum.rectifications += v.rectifications;
              sum.rectified += v.rectified;
              sum.named_bad += v.named_bad;
              sum.called_back += v.called_back;
            },
            soci::into(created), soci::into(region), soci::into(department), soci::into(matter),
            soci::into(window), soci::into(level), soci::into(voided), soci::into(state),
            soci::into(named), soci::into(callback));
        store::Execute(sql, I.Q("clear_stats"));
        for (const auto& [k, value] : sums) {
          I.AddStat(sql, value.first, std::get<1>(k), std::get<2>(k), std::get<3>(k),
                    std::get<4>(k), std::get<5>(k), value.second, 1);
        }
        return read;
      });
}

}  // namespace tongban::evaluation
