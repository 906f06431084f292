// Case views and search: the applicant's own cases, the staff search within the caller's grants,
// the overdue column it reads, and the generator that fills a database for the benchmarks.
#include <deque>
#include <limits>
#include <random>

#include "cases/service_impl.h"
#include "people/region_range.h"
#include "store/explain.h"

namespace tongban::cases {
namespace {

constexpr int kMaxLimit = 100;

// The named parameters of a statement composed from fixed fragments: every value is bound, none
// is spliced into the text. Values live in deques so that the references soci keeps stay valid.
class Params {
 public:
  std::string Text(std::string value) {
    texts_.push_back(std::move(value));
    names_.push_back(Next());
    text_refs_.emplace_back(names_.back(), &texts_.back());
    return ":" + names_.back();
  }
  std::string Integer(long long value) {
    integers_.push_back(value);
    names_.push_back(Next());
    integer_refs_.emplace_back(names_.back(), &integers_.back());
    return ":" + names_.back();
  }
  void Bind(soci::statement& st) {
    for (auto& [name, ptr] : text_refs_) st.exchange(soci::use(*ptr, name));
    for (auto& [name, ptr] : integer_refs_) st.exchange(soci::use(*ptr, name));
  }

 private:
  std::string Next() { return fmt::format("p{}", counter_++); }

  int counter_ = 0;
  std::deque<std::string> names_;
  std::deque<std::string> texts_;
  std::deque<long long> integers_;
  std::vector<std::pair<std::string, std::string*>> text_refs_;
  std::vector<std::pair<std::string, long long*>> integer_refs_;
};

// A keyset cursor "received_at:id"; nullopt when malformed.
std::optional<std::pair<long long, std::string>> ParseCursor(const std::string& cursor) {
  const size_t colon = cursor.find(':');
  if (colon == std::string::npos || colon + 1 == cursor.size() ||
      !IsInteger(cursor.substr(0, colon))) {
    return std::nullopt;
  }
  return std::make_pair(std::stoll(cursor.substr(0, colon)), cursor.substr(colon + 1));
}

long long DayStartMs(const Date& d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             StartOfDayInChina(d).time_since_epoch())
      .count();
}

// A region subtree as a condition that no index can drive: the listings that filter by state
// walk case_record_state_scope newest first and check the region on its entries, where a range
// over region_code would let SQLite read case_record_queue (state, region_code, …) and sort
// every match (0201_case_state_scope.sql). The prefix length is ours, never the caller's.
std::string RegionCondition(Params& p, const std::string& region) {
  const std::string prefix = people::RegionPrefix(region);
  return fmt::format("substr(region_code, 1, {}) = {}", prefix.size(), p.Text(prefix));
}

constexpr char kSummaryColumns[] =
    "SELECT number, matter_code, region_code, department_code, applicant_name, state, "
    "received_on, received_at, id FROM case_record";

// The search statement for `q` within `scopes` (empty: the whole installation).
struct Composed {
  std::string sql;
  Params params;
};

Result<std::unique_ptr<Composed>> Compose(const Principal& caller, const CaseQuery& q,
                                          const Date& today, int64_t now_ms) {
  FieldErrors errors;
  auto out = std::make_unique<Composed>();
  Params& p = out->params;
  std::vector<std::string> where;
  if (!q.number.empty()) where.push_back("number = " + p.Text(q.number));
  if (!q.applicant.empty()) {
    const CivilDate c = today.civil();
    auto person = ParseIdNumber(
        q.applicant, std::chrono::year_month_day{std::chrono::year(c.year),
                                                 std::chrono::month(static_cast<unsigned>(c.month)),
                                                 std::chrono::day(static_cast<unsigned>(c.day))});
    if (person.ok()) {
      where.push_back("applicant_code = " + p.Text(person->normalized));
    } else if (auto uscc = ParseUscc(q.applicant); uscc.ok()) {
      where.push_back("applicant_code = " + p.Text(uscc->normalized));
    } else {
      // The value is never echoed: it may be someone's ID number with a typo.
      errors.Add("applicant", "must be an ID number or a USCC");
    }
  }
  if (!q.matter.empty()) where.push_back("matter_code = " + p.Text(q.matter));
  if (q.state) where.push_back("state = " + p.Text(std::string(CaseStateName(*q.state))));
  if (q.overdue) {
    where.emplace_back("state = 'under_review'");
    // Read from the entries of case_record_state_scope while it walks the cases under review
    // newest first; as an expression, so that case_record_due (state, due_on, id) cannot
    // drive the listing and sort every overdue case.
    where.emplace_back("due_on <> ''");
    where.push_back("substr(due_on, 1, 10) < " + p.Text(today.ToString()));
  }
  if (!q.region.empty()) {
    if (!people::IsRegionCode(q.region)) {
      errors.Add("region", "must be a region code");
    } else {
      where.push_back(RegionCondition(p, q.region));
    }
  }
  if (!q.department.empty()) where.push_back("department_code = " + p.Text(q.department));
  if (q.from) where.push_back("received_at >= " + p.Integer(DayStartMs(*q.from)));
  if (q.to) where.push_back("received_at < " + p.Integer(DayStartMs(q.to->AddDays(1))));
  if (q.from && q.to && *q.to < *q.from) errors.Add("to", "is before from");
  if (q.limit < 1 || q.limit > kMaxLimit) errors.Add("limit", "must be 1 to 100");
  if (!q.cursor.empty()) {
    auto c = ParseCursor(q.cursor);
    if (!c) {
      errors.Add("cursor", "is not a cursor of this listing");
    } else {
      const std::string at = p.Integer(c->first);
      where.push_back(fmt::format("(received_at < {} OR (received_at = {} AND id < {}))", at, at,
                                  p.Text(c->second)));
    }
  }
  if (!errors.empty()) return errors.ToError("the search is invalid");

  // The caller's case.read grants valid now: the search sees their union only.
  std::vector<std::string> scopes;
  bool everything = false, region_reached = q.region.empty();
  for (const people::HeldGrant& g : caller.grants) {
    const people::Scope& s = g.grant.scope;
    if (!std::binary_search(g.permissions.begin(), g.permissions.end(), "case.read")) continue;
    if (now_ms < s.valid_from || (s.valid_until && now_ms >= *s.valid_until)) continue;
    if (!q.region.empty() &&
        (people::RegionCovers(s.region, q.region) || people::RegionCovers(q.region, s.region))) {
      region_reached = true;
    }
    std::vector<std::string> parts;
    if (s.region != people::Scope::kAny) {
      parts.push_back(RegionCondition(p, s.region));
    }
    if (s.department != people::Scope::kAny) {
      parts.push_back("department_code = " + p.Text(s.department));
    }
    if (!s.matters.empty()) {
      std::string in;
      for (const std::string& m : s.matters) in += (in.empty() ? "" : ", ") + p.Text(m);
      parts.push_back("matter_code IN (" + in + ")");
    }
    if (parts.empty()) {
      everything = true;
      continue;
    }
    std::string conj;
    for (const std::string& part : parts) conj += (conj.empty() ? "" : " AND ") + part;
    scopes.push_back("(" + conj + ")");
  }
  if (!everything && scopes.empty()) {
    return Error(ErrorCode::kForbidden, "not permitted: case.read");
  }
  if (!region_reached) {
    return Error(ErrorCode::kForbidden,
                 fmt::format("not permitted: case.read over region {}", q.region));
  }
  if (!everything) {
    std::string any;
    for (const std::string& s : scopes) any += (any.empty() ? "" : " OR ") + s;
    where.push_back(scopes.size() == 1 ? any : "(" + any + ")");
  }
  out->sql = kSummaryColumns;
  for (size_t i = 0; i < where.size(); ++i) out->sql += (i ? " AND " : " WHERE ") + where[i];
  out->sql += " ORDER BY received_at DESC, id DESC LIMIT " + p.Integer(q.limit + 1);
  return out;
}

// GB 11643 check character of the first 17 digits.
char IdCheck(std::string_view body) {
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (body[i] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

std::string CaseService::Impl::DueColumn(Case& c, const catalog::Matter& matter) const {
  if (c.state != CaseState::kUnderReview) return {};
  ComputeClock(c, matter);
  return DateText(c.clock.due_on);
}

Result<Date> CaseService::DueDay(const DueDayInputs& in) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> matter, I.MatterOf(in.matter_version));
  Case c;
  c.state = CaseState::kUnderReview;
  c.region = in.region;
  c.joint = I.runtime != nullptr && in.joint;
  c.clock.started_on = in.accepted_on;
  c.clock.extension_days = in.extension_days;
  c.suspended_days = in.suspended_days;
  I.ComputeClock(c, *matter);  // a started clock always has its due day
  return *c.clock.due_on;
}

Result<RecomputedDueDays> CaseService::RecomputeDueDays(std::string_view region) {
  Impl& I = *impl_;
  const bool everywhere = region == Calendar::kNational;
  if (!everywhere && !people::IsRegionCode(region)) {
    return Error(ErrorCode::kInvalidArgument, "bad due-day recomputation",
                 {{"region", "must be cn or a region code"}});
  }
  // The subtree as a half-open text range of region codes ("431100" -> ["4311", "4312")).
  std::string lo, hi;
  if (!everywhere) std::tie(lo, hi) = people::RegionSubtreeRange(region);
  struct Row {
    std::string id, matter_version, region, accepted_on, due_on;
    long long suspended_days = 0, extension_days = 0, joint = 0;
  };
  constexpr int kPage = 500;
  RecomputedDueDays out;
  std::string after;
  for (;;) {
    TB_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        I.db.Transaction<std::vector<Row>>(
            store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Row>> {
              std::vector<Row> page;
              Row r;
              int all = everywhere ? 1 : 0, limit = kPage;
              store::ExecuteRows(
                  sql, I.Q("select_due_inputs"), [&] { page.push_back(r); },
                  soci::use(after, "after"), soci::use(all, "everywhere"), soci::use(lo, "lo"),
                  soci::use(hi, "hi"), soci::use(limit, "page"), soci::into(r.id),
                  soci::into(r.matter_version), soci::into(r.region), soci::into(r.accepted_on),
                  soci::into(r.suspended_days), soci::into(r.extension_days), soci::into(r.due_on),
                  soci::into(r.joint));
              return page;
            }));
    if (rows.empty()) break;
    out.open_cases += static_cast<int64_t>(rows.size());
    // Outside any transaction: the pinned matters come from the service's cache.
    std::vector<std::pair<const Row*, std::string>> moves;
    for (const Row& r : rows) {
      // The clock as a step would compute it (ComputeClock, through DueDay); none before it
      // started.
      std::string due;
      if (const std::optional<Date> accepted = ParseStoredDate(r.accepted_on)) {
        TB_ASSIGN_OR_RETURN(Date day, DueDay({.matter_version = r.matter_version,
                                              .region = r.region,
                                              .accepted_on = *accepted,
                                              .suspended_days = r.suspended_days,
                                              .extension_days = static_cast<int>(r.extension_days),
                                              .joint = r.joint != 0}));
        due = day.ToString();
      }
      if (due != r.due_on) moves.emplace_back(&r, std::move(due));
    }
    if (!moves.empty()) {
      TB_ASSIGN_OR_RETURN(int64_t moved,
                          I.db.Transaction<int64_t>(
                              store::TxKind::kWrite, [&](soci::session& sql) -> Result<int64_t> {
                                int64_t n = 0;
                                long long now = I.NowMs();
                                for (const auto& [r, due] : moves) {
                                  n += store::Execute(
                                           sql, I.Q("move_case_due"), soci::use(due, "due_on"),
                                           soci::use(now, "updated_at"), soci::use(r->id, "id"),
                                           soci::use(r->due_on, "read_due_on"))
                                           .affected_rows;
                                }
                                return n;
                              }));
      out.moved += moved;
    }
    after = rows.back().id;
    if (rows.size() < static_cast<size_t>(kPage)) break;
  }
  return out;
}

Result<CasePage> CaseService::Search(const Principal& caller, const CaseQuery& query) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(std::unique_ptr<Composed> composed,
                      Compose(caller, query, I.Today(), I.NowMs()));
  return I.db.Transaction<CasePage>(store::TxKind::kRead,
                                    [&](soci::session& sql) -> Result<CasePage> {
                                      CasePage page;
                                      CaseSummary s;
                                      std::string state, received_on, id;
                                      long long received_at = 0;
                                      soci::statement st(sql);
                                      st.alloc();
                                      st.prepare(composed->sql, soci::details::st_one_time_query);
                                      composed->params.Bind(st);
                                      st.exchange(soci::into(s.number));
                                      st.exchange(soci::into(s.matter));
                                      st.exchange(soci::into(s.region));
                                      st.exchange(soci::into(s.department));
                                      st.exchange(soci::into(s.applicant_name));
                                      st.exchange(soci::into(state));
                                      st.exchange(soci::into(received_on));
                                      st.exchange(soci::into(received_at));
                                      st.exchange(soci::into(id));
                                      st.define_and_bind();
                                      st.execute(false);
                                      std::string last_id;
                                      long long last_at = 0;
                                      while (st.fetch()) {
                                        if (static_cast<int>(page.items.size()) == query.limit) {
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
}

Result<std::vector<std::string>> CaseService::ExplainSearch(const Principal& caller,
                                                            const CaseQuery& query) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(std::unique_ptr<Composed> composed,
                      Compose(caller, query, I.Today(), I.NowMs()));
  return store::ExplainPlan(I.db, composed->sql,
                            [&](soci::statement& st) { composed->params.Bind(st); });
}

Result<OwnCasesPage> CaseService::OwnCases(const Principal& caller, int limit,
                                           const std::string& cursor) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (limit < 1 || limit > kMaxLimit) errors.Add("limit", "must be 1 to 100");
  long long after_at = std::numeric_limits<long long>::max();
  std::string after_id;
  if (!cursor.empty()) {
    auto c = ParseCursor(cursor);
    if (!c) {
      errors.Add("cursor", "is not a cursor of this listing");
    } else {
      std::tie(after_at, after_id) = *c;
    }
  }
  if (!errors.empty()) return errors.ToError("the listing is invalid");
  // A citizen without an ID number on its account matches by account only.
  const std::string code =
      caller.account.id_number.empty() ? std::string("-") : caller.account.id_number;
  auto loaded = I.db.Transaction<OwnCasesPage>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<OwnCasesPage> {
        OwnCasesPage page;
        std::vector<std::string> numbers;
        std::string number, id, last_id;
        long long received_at = 0, last_at = 0, n = limit + 1;
        soci::statement st =
            (sql.prepare << I.Q("own_cases"), soci::use(code, "code"),
             soci::use(caller.account.id, "account"), soci::use(after_at, "after_at"),
             soci::use(after_id, "after_id"), soci::use(n, "limit"), soci::into(number),
             soci::into(received_at), soci::into(id));
        st.execute();
        while (st.fetch()) {
          if (static_cast<int>(numbers.size()) == limit) {
            page.next_cursor = fmt::format("{}:{}", last_at, last_id);
            break;
          }
          numbers.push_back(number);
          last_at = received_at;
          last_id = id;
        }
        for (const std::string& num : numbers) {
          TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, num));
          page.items.push_back(std::move(c));
        }
        return page;
      });
  if (!loaded.ok()) return std::move(loaded).error();
  OwnCasesPage page = std::move(loaded).value();
  for (Case& c : page.items) {
    TB_ASSIGN_OR_RETURN(c, I.Finish(std::move(c)));
  }
  return page;
}

Result<int64_t> CaseService::Generate(const GenerateOptions& options) {
  Impl& I = *impl_;
  if (options.count < 0 || options.batch < 1 || options.per_transaction < options.batch) {
    return Error(ErrorCode::kInvalidArgument, "the generator options are invalid",
                 {{"count", "must be 0 or more, with batch <= per_transaction"}});
  }
  // The matters in force today, each with its limit: the cases are spread over them.
  struct Pick {
    catalog::Matter matter;
    std::string scenario;
  };
  std::vector<Pick> picks;
  catalog::PageRequest request{.limit = 100, .cursor = ""};
  do {
    TB_ASSIGN_OR_RETURN(catalog::MatterPage page, I.catalog.ListMatters({}, request));
    for (const catalog::MatterSummary& s : page.items) {
      TB_ASSIGN_OR_RETURN(catalog::Matter m, I.catalog.GetMatter(s.code));
      if (m.item.scenarios.empty()) continue;
      std::string scenario = m.item.scenarios.front().code;
      picks.push_back({std::move(m), std::move(scenario)});
    }
    request.cursor = page.next_cursor;
  } while (!request.cursor.empty());
  if (picks.empty())
    return Error(ErrorCode::kConflict, "no matter is in force to generate cases of");

  std::mt19937_64 rng(options.seed);
  const Date today = I.Today();
  const int64_t today_ms = DayStartMs(today);
  constexpr int64_t kDayMs = 24LL * 3600 * 1000;
  constexpr int64_t kSpanDays = 365;
  // Received times, ascending, all before today: numbers never meet today's real sequence.
  const int64_t step_ms =
      options.count > 0 ? std::max<int64_t>(1, kSpanDays * kDayMs / options.count) : 1;
  int64_t at = today_ms - kSpanDays * kDayMs;
  FakeClock id_clock{Timestamp(std::chrono::milliseconds(at))};
  IdGenerator ids(options.seed);
  // 1000 synthetic applicants per generated region (a seeded pool, so searches find them).
  struct Weighted {
    CaseState state;
    int weight;
  };
  static constexpr Weighted kStates[] = {
      {CaseState::kConcluded, 50}, {CaseState::kUnderReview, 15},
      {CaseState::kSubmitted, 8},  {CaseState::kCorrectionRequested, 3},
      {CaseState::kSuspended, 2},  {CaseState::kApproved, 8},
      {CaseState::kDenied, 4},     {CaseState::kRefused, 4},
      {CaseState::kWithdrawn, 6}};
  std::map<std::pair<std::string, std::string>, int64_t> sequences;
  int64_t written = 0;
  while (written < options.count) {
    const int64_t in_tx = std::min(options.per_transaction, options.count - written);
    auto done = I.db.Transaction<int64_t>(
        store::TxKind::kWrite, [&](soci::session& sql) -> Result<int64_t> {
          int64_t n = 0;
          while (n < in_tx) {
            const int64_t rows = std::min(options.batch, in_tx - n);
            std::string text =
                "INSERT INTO case_record (id, number, matter_code, matter_version, scenario, "
                "region_code, department_code, applicant_kind, applicant_code, applicant_name, "
                "agent_account, submitted_by, channel, clerk_account, form, state, version, "
                "received_on, received_at, accepted_on, accepted_by, correction_on, "
                "correction_items, suspension_reason, suspended_since, suspended_days, "
                "extension_days, extended_by, decided_by, decision_reasons, updated_at, due_on) "
                "VALUES ";
            text.reserve(rows * 420 + text.size());
            for (int64_t r = 0; r < rows; ++r) {
              const Pick& pick = picks[rng() % picks.size()];
              const catalog::Matter& m = pick.matter;
              at += static_cast<int64_t>(rng() % static_cast<uint64_t>(step_ms)) + step_ms / 4;
              at = std::min(at, today_ms - 1);
              id_clock.Set(Timestamp(std::chrono::milliseconds(at)));
              const std::string id = ids.Next(id_clock).ToString();
              const Date received = DateInChina(Timestamp(std::chrono::milliseconds(at)));
              const std::string day = received.ToString();
              int64_t& seq = sequences[{m.item.region, day}];
              if (seq == 0) {
                long long last = 0;
                sql << I.Q("select_sequence_last"), soci::use(m.item.region, "region"),
                    soci::use(day, "day"), soci::into(last);
                seq = last;
              }
              ++seq;
              std::string compact = day;
              compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
              const std::string number = fmt::format("{}-{}-{:06d}", m.item.region, compact, seq);
              const std::string body =
                  fmt::format("{}{:04d}{:02d}{:02d}{:03d}", m.item.region.substr(0, 6),
                              1950 + rng() % 55, 1 + rng() % 12, 1 + rng() % 28, rng() % 1000);
              const std::string applicant = body + IdCheck(body);
              int pick_state = static_cast<int>(rng() % 100);
              CaseState state = CaseState::kConcluded;
              for (const Weighted& w : kStates) {
                if (pick_state < w.weight) {
                  state = w.state;
                  break;
                }
                pick_state -= w.weight;
              }
              const bool accepted =
                  state != CaseState::kSubmitted && state != CaseState::kCorrectionRequested &&
                  state != CaseState::kRefused && !(state == CaseState::kWithdrawn && rng() % 2);
              const std::string accepted_on = accepted ? received.AddDays(1).ToString() : "";
              std::string due;
              if (state == CaseState::kUnderReview) {
                const catalog::TimeLimit limit = I.Limit(m);
                const int64_t days = limit.unit == catalog::LimitUnit::kHours ? 1
                                     : limit.unit == catalog::LimitUnit::kWorkingDays
                                         ? limit.value * 7 / 5 + 1
                                         : limit.value;
                due = received.AddDays(1 + days).ToString();
              }
              const std::string decided = state == CaseState::kApproved ||
                                                  state == CaseState::kDenied ||
                                                  state == CaseState::kConcluded
                                              ? "generated-approver"
                                              : "";
              text += fmt::format(
                  "{}({},{},{},{},{},{},{},'person',{},'申请人{}','','generated',"
                  "'online','','{{}}',{},1,{},{},{},{},'','',{},'',0,0,'',{},'',{},{})",
                  r ? "," : "", Quote(id), Quote(number), Quote(m.item.code), Quote(m.version.id),
                  Quote(pick.scenario), Quote(m.item.region), Quote(m.item.department),
                  Quote(applicant), seq % 1000, Quote(CaseStateName(state)), Quote(day), at,
                  Quote(accepted_on), Quote(accepted ? "generated-clerk" : ""),
                  Quote(state == CaseState::kSuspended ? "expert_review" : ""), Quote(decided), at,
                  Quote(due));
            }
            sql << text;
            n += rows;
          }
          for (const auto& [key, last] : sequences) {
            long long value = last;
            sql << I.Q("raise_sequence"), soci::use(key.first, "region"),
                soci::use(key.second, "day"), soci::use(value, "last");
          }
          return n;
        });
    if (!done.ok()) return std::move(done).error();
    written += *done;
  }
  return written;
}

}  // namespace tongban::cases
