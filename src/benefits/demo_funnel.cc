#include "benefits/demo_funnel.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <unordered_set>

#include <fmt/format.h>

#include "base/id_number.h"
#include "base/region.h"
#include "registers/import.h"

namespace tongban::benefits {
namespace {

// How the generated county is made up, by rank in a seeded permutation of the persons: the
// first ranks meet the living subsidy's rule (低保 family), the next the care subsidy's (level
// 1-2, long-term care), the rest neither. Of each group the roll already pays the first ranks;
// of the rest, visited, the first accept and the next decline (the others are not reached).
struct Group {
  int64_t eligible, receiving, accepting, declining;
};
// The article's county in total, the register's persons before the seed included.
constexpr Group kLiving{420, 300, 90, 15};
constexpr Group kCare{500, 384, 88, 15};

// What the generated persons must add to `existing` (a dry run over the county before the seed)
// for the run to count `target`: the persons there are counted, none of them answers.
Result<Group> Complement(const Group& target, const RegionCounts& existing,
                         std::string_view policy) {
  const int64_t receiving = existing.eligible - existing.eligible_not_receiving;
  Group g{.eligible = target.eligible - existing.eligible,
          .receiving = target.receiving - receiving,
          .accepting = target.accepting,
          .declining = target.declining};
  if (g.receiving < 0 || g.eligible - g.receiving < g.accepting + g.declining) {
    return Error(ErrorCode::kConflict, "the county holds too many eligible persons already",
                 {{"county", fmt::format("{}: {} eligible, {} receiving before the seed", policy,
                                         existing.eligible, receiving)}});
  }
  return g;
}

enum class Answer { kNone, kAccept, kDecline };

struct Generated {
  std::string id_number;
  Answer answer = Answer::kNone;
};

Answer AnswerOf(int64_t rank, const Group& g) {
  const int64_t k = rank - g.receiving;  // rank among those not receiving
  if (k < 0) return Answer::kNone;
  if (k < g.accepting) return Answer::kAccept;
  if (k < g.accepting + g.declining) return Answer::kDecline;
  return Answer::kNone;
}

}  // namespace

Result<ArticleFunnel> SeedArticleFunnel(Benefits& benefits, registers::Registers& registers,
                                        const people::Principal& by,
                                        const ArticleFunnelOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  // The two subsidies, published when missing, and what the county register adds to their runs
  // before the seed (the demo's hand-written persons).
  TB_ASSIGN_OR_RETURN(std::vector<Policy> builtin, BuiltinPolicies());
  std::erase_if(builtin, [](const Policy& p) {
    return p.subject != Subject::kPerson || p.kind != PolicyKind::kBenefit;
  });
  Group living = kLiving, care = kCare;
  int64_t existing = 0;
  for (const Policy& p : builtin) {
    if (!benefits.GetPolicy(p.name).ok()) {
      if (auto published = benefits.Publish(by, p.source); !published.ok()) {
        return published.error();
      }
    }
    TB_ASSIGN_OR_RETURN(MatchRun before,
                        benefits.Match(by, p.name, {.region = options.county, .dry_run = true}));
    existing = before.total.screened;
    Group& g = p.name == "disability_living_subsidy" ? living : care;
    TB_ASSIGN_OR_RETURN(g, Complement(g, before.total, p.name));
  }
  const int64_t generated = options.persons - existing;
  if (generated < living.eligible + care.eligible) {
    return Error(
        ErrorCode::kInvalidArgument, "too few persons",
        {{"persons", fmt::format("at least {}", living.eligible + care.eligible + existing)}});
  }
  std::vector<std::string> villages;
  TB_ASSIGN_OR_RETURN(auto towns, ListChildRegions(options.county));
  for (const auto& t : towns) {
    auto vs = ListChildRegions(t.code);
    if (!vs.ok()) continue;
    for (const auto& v : *vs) villages.push_back(v.code);
  }
  if (villages.empty()) {
    return Error(
        ErrorCode::kInvalidArgument, "the county has no villages",
        {{"county", fmt::format("{} has no villages in the embedded list", options.county)}});
  }
  std::filesystem::path dir = options.dir;
  if (dir.empty()) {
    dir = std::filesystem::temp_directory_path() /
          fmt::format("tongban-funnel-{}-{}", options.county, options.seed);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("cannot create {}", dir.string()),
                 {{"dir", ec.message()}});
  }

  // The persons, the roll of each subsidy (by ID number) and who answers what.
  std::mt19937_64 rng(options.seed);
  std::vector<int64_t> rank(static_cast<size_t>(generated));
  std::iota(rank.begin(), rank.end(), 0);
  std::shuffle(rank.begin(), rank.end(), rng);
  std::map<std::string, Answer> answers;  // by ID number
  std::string persons_csv =
      "id_number,name,sex,birth_date,household_region,address,phone,income_band,assistance,"
      "disability_certificate,disability_category,disability_level,long_term_care\n";
  std::string living_roll = "id_number,amount_fen,start_date\n";
  std::string care_roll = living_roll;
  static constexpr const char* kCategories[] = {"visual",       "hearing", "speech",  "physical",
                                                "intellectual", "mental",  "multiple"};
  static constexpr const char* kSurnames[] = {"李", "王", "张", "刘", "陈", "杨", "黄", "赵",
                                              "吴", "周", "徐", "孙", "胡", "朱", "高", "林"};
  static constexpr const char* kGiven[] = {"桂英", "秀兰", "建国", "志强", "海燕", "德明",
                                           "玉梅", "春生", "小红", "国华", "淑珍", "卫东"};
  const std::string from = options.grants_from.ToString();
  std::map<std::string, std::map<std::string, std::string>> forms;  // by ID number
  for (int64_t i = 0; i < generated; ++i) {
    const int64_t k = rank[static_cast<size_t>(i)];
    // Born 1940-01-01 onwards, a day per person; the sequence (800 up, which the demo's persons
    // do not use) keeps ID numbers distinct.
    const Date birth = Date::FromDays(Date::Parse("1940-01-01")->days() + i % 25000);
    const bool male = i % 2 == 0;
    const CivilDate c = birth.civil();
    const std::string first17 = fmt::format("{}{:04d}{:02d}{:02d}{:03d}", options.county, c.year,
                                            c.month, c.day, 800 + (i / 25000) * 2 + (male ? 1 : 0));
    const std::string id = first17 + IdNumberCheckCharacter(first17);
    const std::string& village = villages[rng() % villages.size()];
    const bool is_living = k < living.eligible;
    const bool is_care = !is_living && k < living.eligible + care.eligible;
    int level = static_cast<int>(rng() % 4) + 1;
    if (is_living) level = 3 + static_cast<int>(rng() % 2);
    if (is_care) level = 1 + static_cast<int>(rng() % 2);
    const int category = static_cast<int>(rng() % 7) + 1;
    std::string phone;
    if (rng() % 10 < 7) phone = fmt::format("1{}{:09d}", 3 + rng() % 7, rng() % 1000000000);
    // Neither: 特困 or no assistance, and no long-term care.
    const char* assistance = is_living         ? "minimum_living"
                             : rng() % 10 == 0 ? "extreme_poverty"
                                               : "none";
    fmt::format_to(
        std::back_inserter(persons_csv), "{},{}{},{},{},{},{}村{}号,{},low,{},{}{}{},{},{},{}\n",
        id, kSurnames[rng() % 16], kGiven[rng() % 12], male ? "male" : "female", birth.ToString(),
        village, village.substr(6, 3), rng() % 200 + 1, phone, assistance, id, category, level,
        kCategories[category - 1], level, is_care ? "true" : "false");
    if (is_living && k < living.receiving) {
      fmt::format_to(std::back_inserter(living_roll), "{},{},{}\n", id, level <= 2 ? 10000 : 8000,
                     from);
    }
    if (is_care && k - living.eligible < care.receiving) {
      fmt::format_to(std::back_inserter(care_roll), "{},{},{}\n", id, level == 1 ? 10000 : 8000,
                     from);
    }
    const Answer a = is_living ? AnswerOf(k, living)
                     : is_care ? AnswerOf(k - living.eligible, care)
                               : Answer::kNone;
    if (a != Answer::kNone) answers.emplace(id, a);
    if (a == Answer::kAccept) {
      // What the grant case needs and the register lacks, given at the visit.
      forms[id] = {
          {"disability_card_no", id + fmt::format("{}{}", category, level)},
          {"bank_account", fmt::format("6217{:015d}", rng() % 1000000000000000)},
          {"contact_phone",
           phone.empty() ? fmt::format("1{}{:09d}", 5 + rng() % 4, rng() % 1000000000) : phone}};
    }
  }
  const std::filesystem::path persons_path =
      dir /
      fmt::format("persons-{}.csv", std::chrono::steady_clock::now().time_since_epoch().count());
  {
    std::ofstream out(persons_path, std::ios::binary);
    out << persons_csv;
    if (!out) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("cannot write {}", persons_path.string()),
                   {{"dir", "not writable"}});
    }
  }

  ArticleFunnel out;
  out.existing = existing;
  TB_ASSIGN_OR_RETURN(
      registers::ImportReport imported,
      registers::ImportCsv(
          registers, registers::ImportKind::kPersons, persons_path.string(),
          {.report_path = (dir / "persons.errors.csv").string(), .actor = by.account.id}));
  out.persons = imported.imported;
  if (imported.rejected > 0) {
    return Error(ErrorCode::kConflict,
                 fmt::format("{} generated persons were refused (already in the register?)",
                             imported.rejected),
                 {{"county", "the register of the county must be empty"}});
  }

  std::map<std::string, std::string> person_of;  // register id by ID number, found once
  for (const Policy& p : builtin) {
    const std::string& roll = p.name == "disability_living_subsidy" ? living_roll : care_roll;
    TB_ASSIGN_OR_RETURN(GrantImport granted, benefits.ImportGrants(by, p.name, roll));
    if (!granted.rejected.empty()) {
      return Error(ErrorCode::kConflict, "the generated grant roll was refused",
                   {{"roll", fmt::format("line {}: {}", granted.rejected[0].line,
                                         granted.rejected[0].reason)}});
    }
    TB_ASSIGN_OR_RETURN(MatchRun run, benefits.Match(by, p.name, {.region = options.county}));
    for (;;) {
      TB_ASSIGN_OR_RETURN(NotifyReport sent, benefits.Notify(by, run.id, {.limit = 1000}));
      if (sent.remaining == 0) break;
    }
    TB_ASSIGN_OR_RETURN(std::vector<MatchResult> listed,
                        benefits.RunResults(run.id, "eligible_not_receiving", "", 100000));
    std::unordered_set<std::string> listed_ids;
    for (const MatchResult& r : listed) listed_ids.insert(r.person_id);
    for (const auto& [id_number, answer] : answers) {
      auto person = person_of.find(id_number);
      if (person == person_of.end()) {
        TB_ASSIGN_OR_RETURN(std::vector<registers::Person> found,
                            registers.FindByIdNumber(by, id_number));
        if (found.empty()) continue;
        person = person_of.emplace(id_number, found[0].id).first;
      }
      const std::string& person_id = person->second;
      if (!listed_ids.contains(person_id)) continue;  // the other subsidy's
      ConsentInput input{
          .decision = answer == Answer::kAccept ? Decision::kAccepted : Decision::kDeclined,
          .by_staff = true,
          .evidence = "入户走访，本人签字确认（演示数据）"};
      if (answer == Answer::kAccept) input.form = forms[id_number];
      TB_RETURN_IF_ERROR(benefits.RecordConsent(by, run.id, person_id, input));
      if (answer == Answer::kAccept && options.on_accepted) {
        TB_RETURN_IF_ERROR(options.on_accepted(run.id, person_id));
      }
    }
    TB_ASSIGN_OR_RETURN(Funnel f, benefits.FunnelOf(run.id));
    out.runs.push_back(run.id);
    out.total.policy += (out.total.policy.empty() ? "" : "+") + f.policy;
    // Both runs screen the same persons.
    out.total.total.screened = std::max(out.total.total.screened, f.total.screened);
    out.total.total.eligible += f.total.eligible;
    out.total.total.eligible_not_receiving += f.total.eligible_not_receiving;
    out.total.total.notified += f.total.notified;
    out.total.total.consented += f.total.consented;
    out.total.total.granted += f.total.granted;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tongban::benefits
