#include "bpmn/runtime_codec.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace tongban::bpmn {
namespace {

using Json = nlohmann::json;

Json Tagged(const char* tag, Json body) {
  Json j = Json::object();
  j[tag] = std::move(body);
  return j;
}

// Scalars that JSON has map to themselves (small integers to JSON integers); everything else is
// an object with one key naming its kind.
Json ToJsonValue(const feel::Value& v) {
  switch (v.kind()) {
    case feel::Kind::kNull:
    case feel::Kind::kFunction:
      return nullptr;
    case feel::Kind::kBoolean:
      return v.boolean();
    case feel::Kind::kNumber:
      if (v.is_small_int()) return v.small_int();
      return Tagged("n", v.number().ToString());
    case feel::Kind::kString:
      return v.string();
    case feel::Kind::kDate:
      return Tagged("d", v.date().ToString());
    case feel::Kind::kTime:
      return Tagged("t", v.time().ToString());
    case feel::Kind::kDateTime:
      return Tagged("dt", v.date_time().ToString());
    case feel::Kind::kDaysTimeDuration:
      return Tagged("dtd", v.days_time_duration().ToString());
    case feel::Kind::kYearsMonthsDuration:
      return Tagged("ymd", v.years_months_duration().ToString());
    case feel::Kind::kList: {
      Json out = Json::array();
      for (const feel::Value& item : v.list()) out.push_back(ToJsonValue(item));
      return out;
    }
    case feel::Kind::kContext: {
      Json entries = Json::array();
      for (const feel::ContextEntry& e : v.context()) {
        entries.push_back(Json::array({e.name, ToJsonValue(e.value)}));
      }
      return Tagged("c", std::move(entries));
    }
    case feel::Kind::kRange: {
      const feel::Range& r = v.range();
      return Tagged("r", Json::array({ToJsonValue(r.low), ToJsonValue(r.high), r.low_closed,
                                      r.high_closed, r.low_null, r.high_null}));
    }
  }
  return nullptr;
}

Error Corrupt(std::string_view what) {
  return Error(ErrorCode::kIntegrity, fmt::format("stored instance state: {}", what));
}

Result<feel::Value> FromJsonValue(const Json& j) {
  if (j.is_null()) return feel::Value();
  if (j.is_boolean()) return feel::Value::Boolean(j.get<bool>());
  if (j.is_number_integer()) return feel::Value::Number(j.get<int64_t>());
  if (j.is_string()) return feel::Value::String(j.get<std::string>());
  if (j.is_array()) {
    std::vector<feel::Value> items;
    items.reserve(j.size());
    for (const Json& item : j) {
      TB_ASSIGN_OR_RETURN(feel::Value v, FromJsonValue(item));
      items.push_back(std::move(v));
    }
    return feel::Value::List(std::move(items));
  }
  if (!j.is_object() || j.size() != 1) return Corrupt("a value is neither scalar nor tagged");
  auto first = j.begin();
  const std::string& tag = first.key();
  const Json& body = first.value();
  auto text = [&]() { return body.is_string() ? body.get<std::string>() : std::string(); };
  if (tag == "n") {
    if (auto d = feel::Decimal::Parse(text())) return feel::Value::Number(*d);
  } else if (tag == "d") {
    if (auto d = feel::Date::Parse(text())) return feel::Value::FromDate(*d);
  } else if (tag == "t") {
    if (auto t = feel::Time::Parse(text())) return feel::Value::FromTime(*t);
  } else if (tag == "dt") {
    if (auto dt = feel::DateTime::Parse(text())) return feel::Value::FromDateTime(*dt);
  } else if (tag == "dtd") {
    if (auto d = feel::DaysTimeDuration::Parse(text())) return feel::Value::FromDuration(*d);
  } else if (tag == "ymd") {
    if (auto d = feel::YearsMonthsDuration::Parse(text())) return feel::Value::FromDuration(*d);
  } else if (tag == "c" && body.is_array()) {
    std::vector<feel::ContextEntry> entries;
    entries.reserve(body.size());
    for (const Json& e : body) {
      if (!e.is_array() || e.size() != 2 || !e[0].is_string()) return Corrupt("a context entry");
      TB_ASSIGN_OR_RETURN(feel::Value v, FromJsonValue(e[1]));
      entries.push_back({e[0].get<std::string>(), std::move(v)});
    }
    return feel::Value::Context(std::move(entries));
  } else if (tag == "r" && body.is_array() && body.size() == 6) {
    feel::Range r;
    TB_ASSIGN_OR_RETURN(r.low, FromJsonValue(body[0]));
    TB_ASSIGN_OR_RETURN(r.high, FromJsonValue(body[1]));
    r.low_closed = body[2].get<bool>();
    r.high_closed = body[3].get<bool>();
    r.low_null = body[4].get<bool>();
    r.high_null = body[5].get<bool>();
    return feel::Value::FromRange(std::move(r));
  }
  return Corrupt(fmt::format("a value tagged '{}' cannot be read", tag));
}

Json ToJsonMap(const std::map<std::string, feel::Value>& vars) {
  Json out = Json::object();
  for (const auto& [k, v] : vars) out[k] = ToJsonValue(v);
  return out;
}

Result<std::map<std::string, feel::Value>> FromJsonMap(const Json& j) {
  std::map<std::string, feel::Value> out;
  if (!j.is_object()) return Corrupt("variables are not an object");
  for (const auto& [k, v] : j.items()) {
    TB_ASSIGN_OR_RETURN(out[k], FromJsonValue(v));
  }
  return out;
}

Result<std::vector<feel::Value>> FromJsonList(const Json& j) {
  std::vector<feel::Value> out;
  for (const Json& item : j) {
    TB_ASSIGN_OR_RETURN(feel::Value v, FromJsonValue(item));
    out.push_back(std::move(v));
  }
  return out;
}

int StatusNumber(InstanceStatus s) { return static_cast<int>(s); }

}  // namespace

std::string EncodeValue(const feel::Value& value) { return ToJsonValue(value).dump(); }

Result<feel::Value> DecodeValue(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Corrupt("not JSON");
  return FromJsonValue(j);
}

std::string EncodeState(const InstanceState& s) {
  Json j;
  j["status"] = StatusNumber(s.status);
  j["vars"] = ToJsonMap(s.variables);
  Json acts = Json::array();
  for (const auto& [id, a] : s.activities) {
    Json ja = Json::array({a.id, a.node, a.parent, static_cast<int>(a.wait), ToJsonMap(a.locals)});
    if (!a.items.empty() || a.item >= 0 || a.completed > 0) {
      Json items = Json::array();
      for (const feel::Value& v : a.items) items.push_back(ToJsonValue(v));
      Json outs = Json::array();
      for (const feel::Value& v : a.outputs) outs.push_back(ToJsonValue(v));
      ja.push_back(std::move(items));
      ja.push_back(std::move(outs));
      ja.push_back(a.next_item);
      ja.push_back(a.completed);
      ja.push_back(a.item);
    }
    acts.push_back(std::move(ja));
  }
  j["acts"] = std::move(acts);
  Json timers = Json::array();
  for (const PendingTimer& t : s.timers) {
    timers.push_back(
        Json::array({t.id, t.due.time_since_epoch().count(), t.owner, t.node, t.repeat}));
  }
  j["timers"] = std::move(timers);
  Json joins = Json::array();
  for (const JoinWait& w : s.joins) joins.push_back(Json::array({w.node, w.scope, w.arrived}));
  j["joins"] = std::move(joins);
  if (!s.completed.empty()) j["completed"] = s.completed;
  if (!s.incident_element.empty() || !s.incident_message.empty()) {
    j["incident"] = Json::array({s.incident_element, s.incident_message, s.uncaught_error});
  }
  if (!s.calls.empty()) {
    Json calls = Json::array();
    for (const CallRequest& c : s.calls) {
      calls.push_back(Json::array({c.activity, c.process_id, ToJsonValue(c.variables)}));
    }
    j["calls"] = std::move(calls);
  }
  j["next"] = s.next_id;
  return j.dump();
}

Result<InstanceState> DecodeState(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("not a JSON object");
  try {
    InstanceState s;
    s.status = static_cast<InstanceStatus>(j.at("status").get<int>());
    TB_ASSIGN_OR_RETURN(s.variables, FromJsonMap(j.at("vars")));
    for (const Json& ja : j.at("acts")) {
      ActivityInstance a;
      a.id = ja.at(0).get<int>();
      a.node = ja.at(1).get<int>();
      a.parent = ja.at(2).get<int>();
      a.wait = static_cast<WaitKind>(ja.at(3).get<int>());
      TB_ASSIGN_OR_RETURN(a.locals, FromJsonMap(ja.at(4)));
      if (ja.size() > 5) {
        TB_ASSIGN_OR_RETURN(a.items, FromJsonList(ja.at(5)));
        TB_ASSIGN_OR_RETURN(a.outputs, FromJsonList(ja.at(6)));
        a.next_item = ja.at(7).get<int>();
        a.completed = ja.at(8).get<int>();
        a.item = ja.at(9).get<int>();
      }
      s.activities.emplace(a.id, std::move(a));
    }
    for (const Json& jt : j.at("timers")) {
      s.timers.push_back({jt.at(0).get<int>(),
                          Timestamp(std::chrono::microseconds(jt.at(1).get<int64_t>())),
                          jt.at(2).get<int>(), jt.at(3).get<int>(), jt.at(4).get<int>()});
    }
    for (const Json& jw : j.at("joins")) {
      s.joins.push_back(
          {jw.at(0).get<int>(), jw.at(1).get<int>(), jw.at(2).get<std::vector<int>>()});
    }
    if (j.contains("completed")) s.completed = j["completed"].get<std::vector<std::string>>();
    if (j.contains("incident")) {
      s.incident_element = j["incident"].at(0).get<std::string>();
      s.incident_message = j["incident"].at(1).get<std::string>();
      s.uncaught_error = j["incident"].at(2).get<std::string>();
    }
    if (j.contains("calls")) {
      for (const Json& jc : j["calls"]) {
        TB_ASSIGN_OR_RETURN(feel::Value vars, FromJsonValue(jc.at(2)));
        s.calls.push_back({jc.at(0).get<int>(), jc.at(1).get<std::string>(), std::move(vars)});
      }
    }
    s.next_id = j.at("next").get<int>();
    return s;
  } catch (const Json::exception& e) {
    return Corrupt(e.what());
  }
}

}  // namespace tongban::bpmn
