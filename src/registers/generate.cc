#include "registers/generate.h"

#include <random>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/id_number.h"
#include "base/region.h"

namespace tongban::registers {
namespace {

constexpr int64_t kBirthDays = 30000;  // birth dates spread over ~82 years from 1930-01-01
constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴",
                                     "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};
constexpr const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊",   "军", "洋",
                                  "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "平"};
constexpr const char* kIncome[] = {"low", "lower_middle", "middle", "high"};
constexpr const char* kCategories[] = {"visual",       "hearing", "speech",  "physical",
                                       "intellectual", "mental",  "multiple"};

Result<std::vector<std::string>> VillagesOf(const std::string& county) {
  std::vector<std::string> out;
  TB_ASSIGN_OR_RETURN(auto towns, ListChildRegions(county));
  for (const auto& t : towns) {
    auto villages = ListChildRegions(t.code);
    if (!villages.ok()) continue;
    for (const auto& v : *villages) out.push_back(v.code);
  }
  if (out.empty()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("county {} has no villages", county),
                 {{"counties", fmt::format("{} has no villages in the embedded list", county)}});
  }
  return out;
}

}  // namespace

Status GeneratePersonsCsv(const GenerateOptions& options, std::ostream& out) {
  std::vector<std::vector<std::string>> villages;
  for (const auto& c : options.counties) {
    TB_ASSIGN_OR_RETURN(auto v, VillagesOf(c));
    villages.push_back(std::move(v));
  }
  if (villages.empty()) {
    return Error(ErrorCode::kInvalidArgument, "no counties", {{"counties", "required"}});
  }
  std::mt19937_64 rng(options.seed);
  const int64_t base = DaysFromCivil(1930, 1, 1);
  const auto n_counties = static_cast<int64_t>(villages.size());
  out << "id_number,name,sex,birth_date,household_region,address,phone,income_band,assistance,"
         "disability_certificate,disability_category,disability_level,long_term_care\n";
  std::string buf;
  for (int64_t i = 0; i < options.count; ++i) {
    const int64_t r = i % n_counties;
    const int64_t j = i / n_counties;
    const Date birth = Date::FromDays(base + j % kBirthDays);
    const bool male = (rng() & 1) != 0;
    const int64_t seq = (j / kBirthDays) * 2 + (male ? 1 : 0);
    const CivilDate c = birth.civil();
    std::string first17 = fmt::format("{}{:04d}{:02d}{:02d}{:03d}", options.counties[r], c.year,
                                      c.month, c.day, seq % 1000);
    std::string id = first17 + IdNumberCheckCharacter(first17);
    const auto& vs = villages[r];
    const std::string& village = vs[rng() % vs.size()];
    std::string name = std::string(kSurnames[rng() % 20]) + kGiven[rng() % 20];
    std::string phone;
    if (rng() % 10 < 7) phone = fmt::format("1{}{:09d}", 3 + rng() % 7, rng() % 1000000000);
    const uint64_t a = rng() % 1000;
    const char* assistance = a < 40 ? "minimum_living" : a < 45 ? "extreme_poverty" : "none";
    const char* income = a < 45 ? "low" : kIncome[rng() % 4];
    std::string certificate, category, level;
    bool care = false;
    if (rng() % 1000 < 63) {
      const uint64_t l = rng() % 10;
      const int lv = l < 1 ? 1 : l < 3 ? 2 : l < 6 ? 3 : 4;
      const int cat = static_cast<int>(rng() % 7) + 1;
      certificate = fmt::format("{}{}{}", id, cat, lv);
      category = kCategories[cat - 1];
      level = std::to_string(lv);
      care = lv <= 2 && rng() % 10 < 6;
    }
    buf.clear();
    fmt::format_to(std::back_inserter(buf), "{},{},{},{},{},{}村{}组{}号,{},{},{},{},{},{},{}\n",
                   id, name, male ? "male" : "female", birth.ToString(), village,
                   village.substr(6, 3), rng() % 12 + 1, rng() % 200 + 1, phone, income, assistance,
                   certificate, category, level, care ? "true" : "false");
    out << buf;
  }
  return Ok();
}

}  // namespace tongban::registers
