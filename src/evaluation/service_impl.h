// The evaluation service's state and the row types its parts share: ratings (ratings.cc),
// rectification (rectification.cc), statistics (statistics.cc) and set-up (service.cc).
#pragma once

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
#include "evaluation/service.h"
#include "people/authorization.h"
#include "people/clock.h"
#include "store/queries.h"

namespace tongban::evaluation {

inline constexpr size_t kMaxText = 500;

inline int64_t Ms(Timestamp t) {
  return std::chrono::floor<std::chrono::milliseconds>(t).time_since_epoch().count();
}

inline std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& t : tags) {
    if (!out.empty()) out += '\n';
    out += t;
  }
  return out;
}

inline std::vector<std::string> SplitTags(const std::string& text) {
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
inline std::string RegionPattern(const std::string& region) {
  if (region.empty()) return "%";
  return people::RegionPrefix(region) + "%";
}

inline bool IsStaff(const people::Principal& p) {
  return p.account.kind == people::AccountKind::kStaff;
}

inline Error StaffMayNotRate() {
  return Error(ErrorCode::kForbidden,
               "a rating is given by the applicant: a staff account may not enter or steer one");
}

// The case facts a rating needs.
// What a rating and its rectification item (state "" when none) contribute to evaluation_stat.
struct StatValues {
  long long rated = 0, rectifications = 0, rectified = 0, named_bad = 0, called_back = 0;
};

inline StatValues Contribution(bool voided, const std::string& rect_state, bool named,
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

  Status Trace(soci::session& sql, std::string stream, const people::Principal* actor,
               std::string action, std::string payload) const {
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
                            const people::Principal* actor) const {
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
    std::string month = day.substr(0, 7);
    long long rated = sign * v.rated, rectifications = sign * v.rectifications,
              rectified = sign * v.rectified, named_bad = sign * v.named_bad,
              called_back = sign * v.called_back;
    store::Execute(sql, Q("add_stat"), soci::use(day, "day"), soci::use(region, "region"),
                   soci::use(department, "department"), soci::use(matter, "matter"),
                   soci::use(window, "window_code"), soci::use(level, "level"),
                   soci::use(rated, "rated"), soci::use(rectifications, "rectifications"),
                   soci::use(rectified, "rectified"), soci::use(named_bad, "named_bad"),
                   soci::use(called_back, "called_back"));
    // The month row moves by the same difference, in the same transaction.
    store::Execute(sql, Q("add_stat_month"), soci::use(month, "month"), soci::use(region, "region"),
                   soci::use(department, "department"), soci::use(window, "window_code"),
                   soci::use(level, "level"), soci::use(rated, "rated"),
                   soci::use(rectifications, "rectifications"), soci::use(rectified, "rectified"),
                   soci::use(named_bad, "named_bad"), soci::use(called_back, "called_back"));
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
  Result<Rectification> Step(const people::Principal& caller, std::string_view id,
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

}  // namespace tongban::evaluation
