// The evaluation service: set-up (migrations, region limits, tags) and its construction. Ratings
// are in ratings.cc, rectification in rectification.cc, statistics in statistics.cc.
#include "evaluation/service_impl.h"

namespace tongban {
extern const EmbeddedFile kEvaluationSql[];
extern const size_t kEvaluationSql_count;
}  // namespace tongban

namespace tongban::evaluation {

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

}  // namespace tongban::evaluation
