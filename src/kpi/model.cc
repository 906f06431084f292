// Periods and figures (see model.h).
#include "kpi/model.h"

#include <fmt/format.h>

namespace tongban::kpi {

namespace {

Date LastOfMonth(int year, int month) {
  const int next_year = month == 12 ? year + 1 : year;
  const int next_month = month == 12 ? 1 : month + 1;
  return Date::FromDays(DaysFromCivil(next_year, next_month, 1) - 1);
}

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<std::pair<Date, Date>> ParsePeriod(std::string_view text, std::string_view field) {
  auto bad = [&] {
    return Error(ErrorCode::kInvalidArgument, "the period is invalid",
                 {{std::string(field),
                   "must be YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"}});
  };
  if (const size_t dots = text.find(".."); dots != std::string_view::npos) {
    auto from = Date::Parse(text.substr(0, dots), field);
    auto to = Date::Parse(text.substr(dots + 2), field);
    if (!from.ok() || !to.ok()) return bad();
    if (*to < *from) {
      return Error(ErrorCode::kInvalidArgument, "the period is invalid",
                   {{std::string(field), "ends before it starts"}});
    }
    return std::pair{*from, *to};
  }
  if (text.size() == 4 && Digits(text)) {
    const int year = std::stoi(std::string(text));
    if (year < 1970 || year > 9998) return bad();
    return std::pair{Date::FromDays(DaysFromCivil(year, 1, 1)), LastOfMonth(year, 12)};
  }
  if (text.size() == 7 && Digits(text.substr(0, 4)) && text[4] == '-') {
    const int year = std::stoi(std::string(text.substr(0, 4)));
    if (year < 1970 || year > 9998) return bad();
    if (text[5] == 'Q' && text[6] >= '1' && text[6] <= '4') {
      const int q = text[6] - '0';
      return std::pair{Date::FromDays(DaysFromCivil(year, 3 * q - 2, 1)), LastOfMonth(year, 3 * q)};
    }
    if (!Digits(text.substr(5))) return bad();
    const int month = std::stoi(std::string(text.substr(5)));
    if (month < 1 || month > 12) return bad();
    return std::pair{Date::FromDays(DaysFromCivil(year, month, 1)), LastOfMonth(year, month)};
  }
  auto day = Date::Parse(text, field);
  if (!day.ok()) return bad();
  return std::pair{*day, *day};
}

std::pair<Date, Date> YearEarlier(Date from, Date to) {
  auto back = [](Date d) {
    const CivilDate c = d.civil();
    const int day = c.month == 2 && c.day == 29 ? 28 : c.day;
    return Date::FromDays(DaysFromCivil(c.year - 1, c.month, day));
  };
  return {back(from), back(to)};
}

double Figure::Rounded() const {
  if (denominator == 0) return 0;
  const int64_t scale = kind == FigureKind::kRate ? 10000 : 100;
  // Round half away from zero in integers, then to 2 decimals.
  const __int128 n = static_cast<__int128>(numerator) * scale * 2;
  const __int128 d = denominator;
  __int128 q = n / d;
  q = q >= 0 ? (q + 1) / 2 : (q - 1) / 2;
  return static_cast<double>(q) / 100.0;
}

std::optional<double> Figure::Value() const {
  if (kind != FigureKind::kCount && denominator == 0) return std::nullopt;
  return Rounded();
}

Figure Count(std::string name, std::string title, std::string unit, int64_t value) {
  return {.name = std::move(name),
          .title = std::move(title),
          .unit = std::move(unit),
          .kind = FigureKind::kCount,
          .numerator = value,
          .denominator = 1,
          .provider = ""};
}

Figure Rate(std::string name, std::string title, int64_t numerator, int64_t denominator) {
  return {.name = std::move(name),
          .title = std::move(title),
          .unit = "percent",
          .kind = FigureKind::kRate,
          .numerator = numerator,
          .denominator = denominator,
          .provider = ""};
}

Figure Average(std::string name, std::string title, std::string unit, int64_t numerator,
               int64_t denominator) {
  return {.name = std::move(name),
          .title = std::move(title),
          .unit = std::move(unit),
          .kind = FigureKind::kAverage,
          .numerator = numerator,
          .denominator = denominator,
          .provider = ""};
}

}  // namespace tongban::kpi
