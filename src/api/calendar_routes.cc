#include "api/calendar_routes.h"

#include <charconv>
#include <memory>

#include "api/json_body.h"

namespace tongban::api {

using nlohmann::json;

namespace {

json ScheduleJson(const YearSchedule& s) { return json::parse(calendars::ScheduleToJson(s)); }

}  // namespace

json CalendarYearToJson(const calendars::CalendarYear& y) {
  json days = json::array();
  for (const calendars::Day& d : y.days) {
    json day = {{"date", d.date.ToString()}, {"working", d.working}};
    if (!d.holiday.empty()) day["holiday"] = d.holiday;
    if (d.make_up) day["make_up"] = true;
    if (d.regional) day["regional"] = true;
    days.push_back(std::move(day));
  }
  return {{"region", y.region},
          {"year", y.year},
          {"provisional", y.provisional},
          {"national", ScheduleJson(y.national)},
          {"own", y.own ? ScheduleJson(*y.own) : json(nullptr)},
          {"version", y.version},
          {"updated_at", Nullable(y.updated_at)},
          {"updated_by", Nullable(y.updated_by)},
          {"days", days}};
}

namespace {

int YearOf(const httplib::Request& req) {
  const std::string s = req.matches[2].str();
  int year = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), year);
  return ec == std::errc() && end == s.data() + s.size() ? year : 0;  // 0: refused by Year
}

// A date member of `r`; the field's error names its path.
std::optional<Date> DateMember(ObjectReader& r, const std::string& key, FieldErrors& errors) {
  std::optional<std::string> text = r.String(key, true);
  if (!text) return std::nullopt;
  auto d = Date::Parse(*text);
  if (!d.ok()) {
    errors.Add(r.PathOf(key), "must be a date YYYY-MM-DD");
    return std::nullopt;
  }
  return *d;
}

class CalendarRoutes {
 public:
  CalendarRoutes(calendars::CalendarService& calendars, const Auth& auth)
      : calendars_(calendars), auth_(auth) {}

  void Get(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto year = calendars_.Year(req.matches[1].str(), YearOf(req));
    if (!year.ok()) return WriteProblem(res, year.error(), ctx);
    WriteJson(res, CalendarYearToJson(*year));
  }

  void Put(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader top(*body, "", errors);
    std::string source = top.String("source", false).value_or("");
    const int64_t version = top.Integer("version", true).value_or(-1);
    std::vector<HolidayPeriod> holidays;
    if (const json* list = top.Member("holidays", json::value_t::array, true)) {
      for (size_t i = 0; i < list->size(); ++i) {
        const std::string path = "holidays/" + std::to_string(i);
        if (!(*list)[i].is_object()) {
          errors.Add(path, "must be an object");
          continue;
        }
        ObjectReader h((*list)[i], path, errors);
        HolidayPeriod p;
        p.name = h.String("name", true).value_or("");
        p.from = DateMember(h, "from", errors).value_or(Date());
        p.to = DateMember(h, "to", errors).value_or(Date());
        if (const json* days = h.Member("make_up_working_days", json::value_t::array, false)) {
          for (size_t k = 0; k < days->size(); ++k) {
            auto d = Date::Parse((*days)[k].is_string() ? (*days)[k].get<std::string>() : "");
            if (d.ok()) {
              p.make_up_working_days.push_back(*d);
            } else {
              errors.Add(h.PathOf("make_up_working_days") + "/" + std::to_string(k),
                         "must be a date YYYY-MM-DD");
            }
          }
        }
        h.Finish();
        holidays.push_back(std::move(p));
      }
    }
    top.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("bad calendar change"), ctx);
    auto year = calendars_.Change(*caller, req.matches[1].str(), YearOf(req), std::move(source),
                                  std::move(holidays), version);
    if (!year.ok()) return WriteProblem(res, year.error(), ctx);
    json out = CalendarYearToJson(*year);
    // The stored due days of the region's open cases, recomputed after the change (null: still
    // queued, run at the next start).
    out["due_days"] = year->due_days ? json{{"open_cases", year->due_days->open_cases},
                                            {"moved", year->due_days->moved}}
                                     : json(nullptr);
    WriteJson(res, out);
  }

 private:
  calendars::CalendarService& calendars_;
  const Auth& auth_;
};

}  // namespace

void RegisterCalendarRoutes(Server& server, calendars::CalendarService& calendars,
                            const Auth& auth) {
  auto routes = std::make_shared<CalendarRoutes>(calendars, auth);
  const std::string path = R"(/api/v1/calendars/([^/]+)/([^/]+))";  // checked by Year
  server.Get(path, [routes](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { routes->Get(req, res, ctx); });
  server.Put(path, [routes](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { routes->Put(req, res, ctx); });
}

}  // namespace tongban::api
