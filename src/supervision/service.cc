// The supervision service: rule sets, cards, answers, hand-over, reports. The sweep is in
// sweep.cc.
#include "supervision/service.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "crypto/sm3.h"
#include "people/authorization.h"
#include "supervision/rules.h"
#include "supervision/service_impl.h"

namespace tongban {
extern const EmbeddedFile kSupervisionSql[];
extern const size_t kSupervisionSql_count;
extern const EmbeddedFile kSupervisionRules[];
extern const size_t kSupervisionRules_count;
}  // namespace tongban

namespace tongban::supervision {

Result<store::MigrationSet> SupervisionMigrations() {
  return store::LoadMigrations("supervision", kSupervisionSql, kSupervisionSql_count);
}

std::vector<std::pair<std::string, std::string>> BuiltinRuleFiles() {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < kSupervisionRules_count; ++i) {
    out.emplace_back(std::string(kSupervisionRules[i].path),
                     std::string(kSupervisionRules[i].contents));
  }
  return out;
}

int64_t SupervisionService::Impl::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock->Now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<SupervisionService>> SupervisionService::Create(store::Database& db,
                                                                       trace::Trace& trace,
                                                                       ServiceOptions options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kSupervisionSql, kSupervisionSql_count));
  auto impl = std::make_unique<Impl>(db, trace, std::move(queries));
  impl->clock = options.clock ? options.clock : &SystemClock::Instance();
  if (options.calendar) {
    impl->calendar = options.calendar;
  } else {
    impl->own_calendar = Calendar::WithEmbeddedSchedules();
    impl->calendar = impl->own_calendar.get();
  }
  if (options.region_calendar && options.calendar_regions) {
    impl->region_calendar = std::move(options.region_calendar);
    impl->calendar_regions = std::move(options.calendar_regions);
  }
  return std::unique_ptr<SupervisionService>(new SupervisionService(std::move(impl)));
}

SupervisionService::SupervisionService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SupervisionService::~SupervisionService() = default;

// ---- Rules

Result<std::vector<RuleSet>> SupervisionService::Impl::AllRuleSets() {
  return db.Transaction<std::vector<RuleSet>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<RuleSet>> {
        std::vector<RuleSet> out;
        std::string region, yaml;
        soci::statement st =
            (sql.prepare << Q("select_rule_sets"), soci::into(region), soci::into(yaml));
        st.execute();
        while (st.fetch()) {
          // Saved sets were checked when saved; a set that no longer parses (a later, stricter
          // check) is skipped rather than stopping supervision of every region.
          auto set = ParseRuleSet(yaml);
          if (set.ok()) out.push_back(std::move(*set));
        }
        return out;
      });
}

Result<RuleSet> SupervisionService::SaveRules(const people::Principal& caller,
                                              std::string_view region, std::string_view yaml) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(people::Authorize(
      caller, "supervision.card", {.region = std::string(region), .department = ""}, I.NowMs()));
  TB_ASSIGN_OR_RETURN(RuleSet set, ParseRuleSet(yaml));
  if (set.region != region) {
    return Error(ErrorCode::kInvalidArgument, "the rule set is invalid",
                 {{"region", fmt::format("names {}, not {}", set.region, region)}});
  }
  const std::string text(yaml);
  TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    long long now = I.NowMs();
    store::Execute(sql, I.Q("upsert_rule_set"), soci::use(set.region, "region"),
                   soci::use(text, "yaml"), soci::use(caller.account.id, "updated_by"),
                   soci::use(now, "updated_at"));
    TB_ASSIGN_OR_RETURN(auto rec,
                        I.trace.Append(sql, {.stream = "supervision_rules/" + set.region,
                                             .actor = caller.account.id,
                                             .action = "supervision.rules_saved",
                                             .payload = nlohmann::json{{"yaml", text}}.dump()}));
    (void)rec;
    return Ok();
  }));
  return set;
}

Result<int> SupervisionService::LoadBuiltinRules() {
  Impl& I = *impl_;
  int saved = 0;
  for (const auto& [name, yaml] : BuiltinRuleFiles()) {
    auto set = ParseRuleSet(yaml);
    if (!set.ok()) {
      return Error(ErrorCode::kInternal,
                   fmt::format("builtin rule set {}: {}", name, set.error().ToString()));
    }
    TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      long long now = I.NowMs();
      auto done =
          store::Execute(sql, I.Q("insert_rule_set_if_missing"), soci::use(set->region, "region"),
                         soci::use(yaml, "yaml"), soci::use(now, "updated_at"));
      saved += done.affected_rows > 0 ? 1 : 0;
      return Ok();
    }));
  }
  return saved;
}

Result<RuleSet> SupervisionService::OwnRules(std::string_view region) {
  Impl& I = *impl_;
  const std::string r(region);
  TB_ASSIGN_OR_RETURN(
      std::string yaml,
      I.db.Transaction<std::string>(
          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
            std::string y;
            store::Execute(sql, I.Q("select_rule_set"), soci::use(r, "region"), soci::into(y));
            if (!sql.got_data()) {
              return Error(ErrorCode::kNotFound, fmt::format("region {} has no rule set", r));
            }
            return y;
          }));
  return ParseRuleSet(yaml);
}

Result<EffectiveRules> SupervisionService::RulesInForce(std::string_view region) {
  TB_ASSIGN_OR_RETURN(std::vector<RuleSet> all, impl_->AllRuleSets());
  return Impl::Effective(region, all);
}

EffectiveRules SupervisionService::Impl::Effective(std::string_view region,
                                                   const std::vector<RuleSet>& all) {
  std::vector<RuleSet> chain;
  for (const std::string& r : RegionChain(region)) {
    auto it = std::find_if(all.begin(), all.end(), [&](const RuleSet& s) { return s.region == r; });
    if (it != all.end()) chain.push_back(*it);
  }
  return Merge(region, chain);
}

// ---- Cards

namespace {

// The columns of kCardColumns, fetched into typed variables (SQLite reports INTEGER columns
// as int or long long by value, so soci::row is not used).
struct CardRow {
  long long id = 0, issued_at = 0;
  std::string case_id, case_number, step, step_name, trigger, level, reason, region, department,
      person, issued_on, state, answer, answered_by, handed_over_by;

  void Bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(case_id));
    st.exchange(soci::into(case_number));
    st.exchange(soci::into(step));
    st.exchange(soci::into(step_name));
    st.exchange(soci::into(trigger));
    st.exchange(soci::into(level));
    st.exchange(soci::into(reason));
    st.exchange(soci::into(region));
    st.exchange(soci::into(department));
    st.exchange(soci::into(person));
    st.exchange(soci::into(issued_on));
    st.exchange(soci::into(issued_at));
    st.exchange(soci::into(state));
    st.exchange(soci::into(answer));
    st.exchange(soci::into(answered_by));
    st.exchange(soci::into(handed_over_by));
  }

  Card ToCard() const {
    Card c;
    c.id = id;
    c.case_id = case_id;
    c.case_number = case_number;
    c.step = step;
    c.step_name = step_name;
    c.trigger = trigger;
    c.level = ParseLevel(level).value_or(Level::kYellow);
    c.reason = reason;
    c.region = region;
    c.department = department;
    c.person = person;
    auto d = Date::Parse(issued_on);
    if (d.ok()) c.issued_on = *d;
    c.issued_at_ms = issued_at;
    c.state = ParseCardState(state).value_or(CardState::kOpen);
    c.answer = answer;
    c.answered_by = answered_by;
    c.handed_over_by = handed_over_by;
    return c;
  }
};

constexpr const char* kCardColumns =
    "id, case_id, case_number, step, step_name, trigger_name, level, reason, region_code, "
    "department_code, person, issued_on, issued_at, state, answer, answered_by, handed_over_by";

}  // namespace

std::string SupervisionService::Impl::GrantFilter(const people::Principal& caller,
                                                  std::string_view permission) const {
  // An OR of the caller's grants that give the permission now: region subtree and department.
  // Codes are digits and department codes [0-9A-Za-z-], checked before they are written here.
  const int64_t now = NowMs();
  std::vector<std::string> terms;
  auto safe = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
    });
  };
  for (const people::HeldGrant& g : caller.grants) {
    if (std::find(g.permissions.begin(), g.permissions.end(), permission) == g.permissions.end()) {
      continue;
    }
    const people::Scope& s = g.grant.scope;
    if (now < s.valid_from || (s.valid_until && now >= *s.valid_until)) continue;
    std::string term = "1 = 1";
    if (s.region != people::Scope::kAny) {
      if (!safe(s.region)) continue;
      auto [lo, hi] = people::RegionSubtreeRange(s.region);
      term += fmt::format(" AND region_code >= '{}' AND region_code < '{}'", lo, hi);
    }
    if (s.department != people::Scope::kAny) {
      if (!safe(s.department)) continue;
      term += fmt::format(" AND department_code = '{}'", s.department);
    }
    terms.push_back("(" + term + ")");
  }
  if (terms.empty()) return "1 = 0";
  std::string out = "(";
  for (size_t i = 0; i < terms.size(); ++i) out += (i ? " OR " : "") + terms[i];
  return out + ")";
}

Result<CardPage> SupervisionService::ListCards(const people::Principal& caller,
                                               const CardQuery& query) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (query.limit < 1 || query.limit > 200) errors.Add("limit", "must be between 1 and 200");
  int64_t after = 0;
  if (!query.cursor.empty()) {
    auto [end, ec] =
        std::from_chars(query.cursor.data(), query.cursor.data() + query.cursor.size(), after);
    if (ec != std::errc() || end != query.cursor.data() + query.cursor.size() || after <= 0) {
      errors.Add("cursor", "is not a cursor of this listing");
    }
  }
  if (!query.region.empty() && !people::IsRegionCode(query.region)) {
    errors.Add("region", "must be a region code");
  }
  if (!errors.empty()) return errors.ToError("the card listing is invalid");
  if (!people::HoldsPermission(caller, "supervision.read", I.NowMs()) &&
      !people::HoldsPermission(caller, "supervision.answer", I.NowMs())) {
    return Error(ErrorCode::kForbidden, "not permitted: supervision.read");
  }
  std::string where = "(" + I.GrantFilter(caller, "supervision.read") + " OR " +
                      I.GrantFilter(caller, "supervision.answer") + ")";
  std::string region_lo, region_hi;
  if (!query.region.empty()) {
    std::tie(region_lo, region_hi) = people::RegionSubtreeRange(query.region);
    where += " AND region_code >= :region_lo AND region_code < :region_hi";
  }
  if (!query.department.empty()) where += " AND department_code = :department";
  if (!query.person.empty()) where += " AND person = :person";
  if (!query.case_number.empty()) where += " AND case_number = :case_number";
  std::string level = query.level ? std::string(LevelName(*query.level)) : "";
  if (query.level) {
    where += " AND level = :level";
  } else if (!query.include_warnings) {
    where += " AND level <> 'warning'";
  }
  std::string state = query.state ? std::string(CardStateName(*query.state)) : "";
  if (query.state) where += " AND state = :state";
  if (after > 0) where += " AND id < :after";
  const std::string text = fmt::format(
      "SELECT {} FROM supervision_card WHERE {} ORDER BY id DESC "
      "LIMIT {}",
      kCardColumns, where, query.limit + 1);
  return I.db.Transaction<CardPage>(store::TxKind::kRead,
                                    [&](soci::session& sql) -> Result<CardPage> {
                                      CardPage page;
                                      CardRow row;
                                      soci::statement st(sql);
                                      long long after_ll = after;
                                      if (!query.region.empty()) {
                                        st.exchange(soci::use(region_lo, "region_lo"));
                                        st.exchange(soci::use(region_hi, "region_hi"));
                                      }
                                      if (!query.department.empty())
                                        st.exchange(soci::use(query.department, "department"));
                                      if (!query.person.empty())
                                        st.exchange(soci::use(query.person, "person"));
                                      if (!query.case_number.empty())
                                        st.exchange(soci::use(query.case_number, "case_number"));
                                      if (query.level) st.exchange(soci::use(level, "level"));
                                      if (query.state) st.exchange(soci::use(state, "state"));
                                      if (after > 0) st.exchange(soci::use(after_ll, "after"));
                                      row.Bind(st);
                                      st.alloc();
                                      st.prepare(text);
                                      st.define_and_bind();
                                      st.execute(false);
                                      while (st.fetch()) page.items.push_back(row.ToCard());
                                      if (static_cast<int>(page.items.size()) > query.limit) {
                                        page.items.pop_back();
                                        page.next_cursor = std::to_string(page.items.back().id);
                                      }
                                      return page;
                                    });
}

Result<Card> SupervisionService::Impl::LoadCard(soci::session& sql, int64_t id) const {
  CardRow row;
  long long id_ll = id;
  {
    soci::statement one(sql);
    one.exchange(soci::use(id_ll, "id"));
    row.Bind(one);
    one.alloc();
    one.prepare(fmt::format("SELECT {} FROM supervision_card WHERE id = :id", kCardColumns));
    one.define_and_bind();
    if (!one.execute(true)) {
      return Error(ErrorCode::kNotFound, fmt::format("card {} not found", id));
    }
  }
  Card c = row.ToCard();
  CardEvent e;
  long long at = 0;
  soci::statement st =
      (sql.prepare << Q("select_card_events"), soci::use(id_ll, "id"), soci::into(e.seq),
       soci::into(at), soci::into(e.actor), soci::into(e.action), soci::into(e.note));
  st.execute();
  c.history.push_back(
      {.seq = 0, .at_ms = c.issued_at_ms, .actor = "system", .action = "issued", .note = c.reason});
  while (st.fetch()) {
    e.at_ms = at;
    c.history.push_back(e);
  }
  return c;
}

Status SupervisionService::Impl::Visible(const people::Principal& caller, const Card& c) const {
  const people::Target target{.region = c.region, .department = c.department};
  const int64_t now = NowMs();
  if (people::Authorize(caller, "supervision.read", target, now).ok() ||
      people::Authorize(caller, "supervision.answer", target, now).ok()) {
    return Ok();
  }
  // Outside the caller's grants a card does not exist for it.
  return Error(ErrorCode::kNotFound, fmt::format("card {} not found", c.id));
}

Result<Card> SupervisionService::GetCard(const people::Principal& caller, int64_t id) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(Card c, I.db.Transaction<Card>(store::TxKind::kRead, [&](soci::session& sql) {
    return I.LoadCard(sql, id);
  }));
  TB_RETURN_IF_ERROR(I.Visible(caller, c));
  return c;
}

Status SupervisionService::Impl::AddEvent(soci::session& sql, int64_t id, const std::string& actor,
                                          const std::string& action, const std::string& note) {
  long long id_ll = id, id2 = id, at = NowMs();
  store::Execute(sql, Q("insert_card_event"), soci::use(id_ll, "id"), soci::use(at, "at"),
                 soci::use(actor, "actor"), soci::use(action, "action"), soci::use(note, "note"),
                 soci::use(id2, "id2"));
  TB_ASSIGN_OR_RETURN(auto rec,
                      trace.Append(sql, {.stream = fmt::format("supervision/{}", id),
                                         .actor = actor,
                                         .action = "supervision.card_" + action,
                                         .payload = nlohmann::json{{"note", note}}.dump()}));
  (void)rec;
  return Ok();
}

Result<Card> SupervisionService::Answer(const people::Principal& caller, int64_t id,
                                        std::string_view correction) {
  Impl& I = *impl_;
  const std::string text(correction);
  if (text.empty() || text.size() > 4000) {
    return Error(ErrorCode::kInvalidArgument, "the answer is invalid",
                 {{"correction", "must say what was corrected (1 to 4000 bytes)"}});
  }
  return I.db.Transaction<Card>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<Card> {
    TB_ASSIGN_OR_RETURN(Card c, I.LoadCard(sql, id));
    TB_RETURN_IF_ERROR(I.Visible(caller, c));
    TB_RETURN_IF_ERROR(people::Authorize(
        caller, "supervision.answer", {.region = c.region, .department = c.department}, I.NowMs()));
    if (c.state != CardState::kOpen) {
      return Error(ErrorCode::kConflict, fmt::format("card {} is {}: it was answered already", id,
                                                     CardStateName(c.state)));
    }
    long long at = I.NowMs(), id_ll = id;
    store::Execute(sql, I.Q("answer_card"), soci::use(text, "answer"),
                   soci::use(caller.account.id, "by"), soci::use(at, "at"), soci::use(id_ll, "id"));
    TB_RETURN_IF_ERROR(I.AddEvent(sql, id, caller.account.id, "answered", text));
    return I.LoadCard(sql, id);
  });
}

namespace {

// One row of any table as a JSON object, by the column types SOCI reports.
nlohmann::json RowJson(const soci::row& r) {
  nlohmann::json o = nlohmann::json::object();
  for (size_t i = 0; i < r.size(); ++i) {
    const soci::column_properties& p = r.get_properties(i);
    if (r.get_indicator(i) == soci::i_null) {
      o[p.get_name()] = nullptr;
      continue;
    }
    switch (p.get_data_type()) {
      case soci::dt_string:
        o[p.get_name()] = r.get<std::string>(i);
        break;
      case soci::dt_integer:
        o[p.get_name()] = r.get<int>(i);
        break;
      case soci::dt_long_long:
        o[p.get_name()] = r.get<long long>(i);
        break;
      case soci::dt_unsigned_long_long:
        o[p.get_name()] = r.get<unsigned long long>(i);
        break;
      case soci::dt_double:
        o[p.get_name()] = r.get<double>(i);
        break;
      default:
        o[p.get_name()] = nullptr;
    }
  }
  return o;
}

}  // namespace

Result<std::string> SupervisionService::Impl::CaseFile(soci::session& sql,
                                                       const std::string& case_id) const {
  nlohmann::json file;
  soci::row row;
  store::Execute(sql, "SELECT * FROM case_record WHERE id = :id", soci::use(case_id, "id"),
                 soci::into(row));
  if (!sql.got_data()) {
    return Error(ErrorCode::kNotFound, fmt::format("case {} not found", case_id));
  }
  file["case"] = RowJson(row);
  file["documents"] = nlohmann::json::array();
  {
    std::string id, kind, issued_on, department, content, key_id, signature, seal_proof;
    soci::statement st =
        (sql.prepare << Q("select_case_documents"), soci::use(case_id, "case_id"), soci::into(id),
         soci::into(kind), soci::into(issued_on), soci::into(department), soci::into(content),
         soci::into(key_id), soci::into(signature), soci::into(seal_proof));
    st.execute();
    while (st.fetch()) {
      nlohmann::json document = {{"id", id},
                                 {"kind", kind},
                                 {"issued_on", issued_on},
                                 {"department", department},
                                 {"content", content},
                                 {"key_id", key_id},
                                 {"signature", signature}};
      // Sealed in a batch (cases/sealer.h): the inclusion proof the signature needs.
      if (!seal_proof.empty()) document["seal_proof"] = seal_proof;
      file["documents"].push_back(std::move(document));
    }
  }
  file["trace"] = nlohmann::json::array();
  {
    const std::string stream = "case/" + case_id;
    long long seq = 0;
    std::string time, actor, action, payload, hash;
    soci::statement st = (sql.prepare << Q("select_case_trace"), soci::use(stream, "stream"),
                          soci::into(seq), soci::into(time), soci::into(actor), soci::into(action),
                          soci::into(payload), soci::into(hash));
    st.execute();
    while (st.fetch()) {
      file["trace"].push_back({{"seq", seq},
                               {"time", time},
                               {"actor", actor},
                               {"action", action},
                               {"payload", payload},
                               {"hash", hash}});
    }
  }
  return file.dump();
}

Result<HandOverResult> SupervisionService::HandOver(const people::Principal& caller, int64_t id,
                                                    std::string_view note) {
  Impl& I = *impl_;
  const std::string note_text(note);
  if (note_text.size() > 4000) {
    return Error(ErrorCode::kInvalidArgument, "the hand-over is invalid",
                 {{"note", "at most 4000 bytes"}});
  }
  return I.db.Transaction<HandOverResult>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<HandOverResult> {
        TB_ASSIGN_OR_RETURN(Card c, I.LoadCard(sql, id));
        TB_RETURN_IF_ERROR(I.Visible(caller, c));
        TB_RETURN_IF_ERROR(people::Authorize(caller, "supervision.clue",
                                             {.region = c.region, .department = c.department},
                                             I.NowMs()));
        if (c.level != Level::kRed) {
          return Error(ErrorCode::kRefused,
                       fmt::format("card {} is a {} card: only red cards are handed over", id,
                                   LevelName(c.level)),
                       {{"id", "must be a red card"}});
        }
        if (c.state == CardState::kHandedOver) {
          return Error(ErrorCode::kConflict, fmt::format("card {} was handed over already", id));
        }
        HandOverResult out;
        if (!c.case_id.empty()) {
          TB_ASSIGN_OR_RETURN(out.bundle, I.CaseFile(sql, c.case_id));
        } else {
          // An escalation: the yellow cards it counts are the file.
          out.bundle = nlohmann::json{
              {"escalation", c.reason},
              {"department", c.department},
              {"person",
               c.person}}.dump();
        }
        out.digest = crypto::Sm3Hex(out.bundle);
        long long at = I.NowMs(), id_ll = id;
        store::Execute(sql, I.Q("hand_over_card"), soci::use(caller.account.id, "by"),
                       soci::use(at, "at"), soci::use(id_ll, "id"));
        store::Execute(sql, I.Q("insert_clue"), soci::use(id_ll, "id"),
                       soci::use(c.case_id, "case_id"), soci::use(out.bundle, "bundle"),
                       soci::use(out.digest, "digest"), soci::use(note_text, "note"),
                       soci::use(caller.account.id, "by"), soci::use(at, "at"));
        TB_RETURN_IF_ERROR(
            I.AddEvent(sql, id, caller.account.id, "handed_over",
                       note_text.empty() ? "sm3:" + out.digest : note_text + " sm3:" + out.digest));
        TB_ASSIGN_OR_RETURN(out.card, I.LoadCard(sql, id));
        return out;
      });
}

Result<HandOverResult> SupervisionService::GetClue(const people::Principal& caller, int64_t id) {
  Impl& I = *impl_;
  return I.db.Transaction<HandOverResult>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<HandOverResult> {
        TB_ASSIGN_OR_RETURN(Card c, I.LoadCard(sql, id));
        TB_RETURN_IF_ERROR(I.Visible(caller, c));
        TB_RETURN_IF_ERROR(people::Authorize(caller, "supervision.clue",
                                             {.region = c.region, .department = c.department},
                                             I.NowMs()));
        HandOverResult out;
        long long id_ll = id;
        store::Execute(sql, I.Q("select_clue"), soci::use(id_ll, "id"), soci::into(out.bundle),
                       soci::into(out.digest));
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound, fmt::format("card {} was not handed over", id));
        }
        out.card = std::move(c);
        return out;
      });
}

// ---- Reports

Result<Report> SupervisionService::CardReport(const people::Principal& caller,
                                              std::string_view period, ReportBy by,
                                              std::string_view region) {
  Impl& I = *impl_;
  Report report;
  report.period = std::string(period);
  report.by = by;
  // "2026-11" or "2026-Q4".
  int year = 0, month = 0, quarter = 0;
  bool ok = false;
  if (period.size() == 7 && period[4] == '-') {
    auto y = std::from_chars(period.data(), period.data() + 4, year);
    if (period[5] == 'Q') {
      auto q = std::from_chars(period.data() + 6, period.data() + 7, quarter);
      ok = y.ec == std::errc() && q.ec == std::errc() && quarter >= 1 && quarter <= 4;
    } else {
      auto m = std::from_chars(period.data() + 5, period.data() + 7, month);
      ok = y.ec == std::errc() && m.ec == std::errc() && month >= 1 && month <= 12;
    }
  }
  FieldErrors errors;
  if (!ok || year < 2000 || year > 2100) {
    errors.Add("period", "must be a month YYYY-MM or a quarter YYYY-Qn");
  }
  if (!region.empty() && !people::IsRegionCode(region)) {
    errors.Add("region", "must be a region code");
  }
  if (!errors.empty()) return errors.ToError("the report request is invalid");
  const int first_month = quarter ? (quarter - 1) * 3 + 1 : month;
  const int last_month = quarter ? first_month + 2 : month;
  TB_ASSIGN_OR_RETURN(report.from, Date::FromCivil(year, first_month, 1));
  TB_ASSIGN_OR_RETURN(Date next, last_month == 12 ? Date::FromCivil(year + 1, 1, 1)
                                                  : Date::FromCivil(year, last_month + 1, 1));
  report.to = next.AddDays(-1);
  if (!people::HoldsPermission(caller, "supervision.read", I.NowMs())) {
    return Error(ErrorCode::kForbidden, "not permitted: supervision.read");
  }
  std::string where =
      I.GrantFilter(caller, "supervision.read") + " AND issued_on >= :from AND issued_on <= :to";
  std::string lo, hi;
  if (!region.empty()) {
    std::tie(lo, hi) = people::RegionSubtreeRange(region);
    where += " AND region_code >= :lo AND region_code < :hi";
  }
  const char* key = by == ReportBy::kDepartment ? "department_code" : "person";
  if (by == ReportBy::kPerson) where += " AND person <> ''";
  const std::string text = fmt::format(
      "SELECT {0}, MIN(region_code), "
      "SUM(CASE WHEN level = 'warning' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN level = 'yellow' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN level = 'red' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN state = 'answered' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN state = 'handed_over' THEN 1 ELSE 0 END) "
      "FROM supervision_card WHERE {1} GROUP BY {0} ORDER BY {0}",
      key, where);
  const std::string from = report.from.ToString(), to = report.to.ToString();
  TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    ReportRow r;
    long long w = 0, y = 0, red = 0, a = 0, h = 0;
    soci::statement st(sql);
    st.exchange(soci::use(from, "from"));
    st.exchange(soci::use(to, "to"));
    if (!region.empty()) {
      st.exchange(soci::use(lo, "lo"));
      st.exchange(soci::use(hi, "hi"));
    }
    st.exchange(soci::into(r.key));
    st.exchange(soci::into(r.region));
    st.exchange(soci::into(w));
    st.exchange(soci::into(y));
    st.exchange(soci::into(red));
    st.exchange(soci::into(a));
    st.exchange(soci::into(h));
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
    st.execute(false);
    while (st.fetch()) {
      r.warnings = w;
      r.yellow = y;
      r.red = red;
      r.answered = a;
      r.handed_over = h;
      report.rows.push_back(r);
    }
    return Ok();
  }));
  return report;
}

namespace {
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string ReportCsv(const Report& report) {
  std::string out = fmt::format("period,{},region,warnings,yellow,red,answered,handed_over\r\n",
                                report.by == ReportBy::kDepartment ? "department" : "person");
  for (const ReportRow& r : report.rows) {
    out += fmt::format("{},{},{},{},{},{},{},{}\r\n", report.period, CsvField(r.key),
                       CsvField(r.region), r.warnings, r.yellow, r.red, r.answered, r.handed_over);
  }
  return out;
}

}  // namespace tongban::supervision
