#include "api/catalog_json.h"

namespace tongban::api {
namespace {

using catalog::EnumId;
using nlohmann::json;

template <typename E>
json Ids(const std::vector<E>& values) {
  json out = json::array();
  for (E v : values) out.push_back(EnumId(v));
  return out;
}

json Limit(const std::optional<catalog::TimeLimit>& limit) {
  if (!limit) return nullptr;
  return {{"value", limit->value}, {"unit", EnumId(limit->unit)}};
}

json Lists(const catalog::ServiceLists& lists) {
  return {{"nearby", Ids(lists.nearby)},
          {"proactive", Ids(lists.proactive)},
          {"online", Ids(lists.online)},
          {"assisted", Ids(lists.assisted)}};
}

// Optional text fields are left out when empty, as the file format leaves them out.
void PutIfSet(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

json ToJson(const catalog::FormField& f) {
  json j = {
      {"name", f.name}, {"label", f.label}, {"type", EnumId(f.type)}, {"required", f.required}};
  if (!f.options.empty()) j["options"] = f.options;
  PutIfSet(j, "prefill", f.prefill);
  PutIfSet(j, "validation", f.validation);
  PutIfSet(j, "validation_message", f.validation_message);
  return j;
}

json ToJson(const catalog::Material& m) {
  json j = {{"name", m.name},
            {"required", EnumId(m.required)},
            {"core", m.core},
            {"source", EnumId(m.source)}};
  PutIfSet(j, "condition", m.condition);
  PutIfSet(j, "licence_type", m.licence_type);
  PutIfSet(j, "certificate", m.certificate);
  if (m.reuse_days) j["reuse_days"] = *m.reuse_days;
  if (m.request_days) j["request_days"] = *m.request_days;
  return j;
}

}  // namespace

json ToJson(const catalog::GuideQuestion& q) {
  json options = json::array();
  for (const auto& o : q.options) {
    json j = {{"value", o.value}, {"label", o.label}};
    PutIfSet(j, "next", o.next);
    PutIfSet(j, "scenario", o.scenario);
    options.push_back(std::move(j));
  }
  return {{"id", q.id}, {"text", q.text}, {"options", std::move(options)}};
}

json ToJson(const catalog::Scenario& s) {
  json form = json::array();
  for (const auto& f : s.form) form.push_back(ToJson(f));
  json materials = json::array();
  for (const auto& m : s.materials) materials.push_back(ToJson(m));
  json j = {{"code", s.code},       {"name", s.name}, {"kind", EnumId(s.kind)},
            {"process", s.process}, {"form", form},   {"materials", materials}};
  if (!s.review_departments.empty()) j["review_departments"] = s.review_departments;
  if (s.auto_decision) j["auto_decision"] = {{"rule", s.auto_decision->rule}};
  return j;
}

json ToJson(const catalog::ImplementationItem& item) {
  json fees = json::array();
  for (const auto& f : item.fees) {
    fees.push_back({{"name", f.name}, {"amount_fen", f.amount_fen}, {"basis", f.basis}});
  }
  json scenarios = json::array();
  for (const auto& s : item.scenarios) scenarios.push_back(ToJson(s));
  json j = {{"code", item.code},
            {"basic_item", item.basic_item},
            {"department", item.department},
            {"region", item.region},
            {"handling_type", EnumId(item.handling_type)},
            {"legal_limit", Limit(item.legal_limit)},
            {"fees", fees},
            {"windows", item.windows},
            {"visits", item.visits},
            {"online_depth", item.online_depth},
            {"lists", Lists(item.lists)},
            {"cross_region_modes", Ids(item.cross_region_modes)},
            {"keywords", item.keywords},
            {"aliases", item.aliases},
            {"scenarios", scenarios}};
  j["promised_limit"] = Limit(item.promised_limit);
  PutIfSet(j, "place", item.place);
  PutIfSet(j, "hours", item.hours);
  PutIfSet(j, "phone", item.phone);
  PutIfSet(j, "jurisdiction", item.jurisdiction);
  PutIfSet(j, "result_licence_type", item.result_licence_type);
  if (item.verification_within_days) {
    j["verification_within_days"] = *item.verification_within_days;
  }
  if (item.guide) {
    json questions = json::array();
    for (const auto& q : item.guide->questions) questions.push_back(ToJson(q));
    j["guide"] = {{"questions", std::move(questions)}};
    PutIfSet(j["guide"], "decision_table", item.guide->decision_table);
  }
  return j;
}

json ToJson(const catalog::VersionInfo& v) {
  json j = {{"id", v.id},
            {"version", v.version},
            {"status", EnumId(v.status)},
            {"revision", v.revision},
            {"created_by", v.created_by},
            {"created_at", v.created_at}};
  j["effective_from"] = v.effective_from ? json(v.effective_from->ToString()) : json(nullptr);
  PutIfSet(j, "updated_by", v.updated_by);
  PutIfSet(j, "updated_at", v.updated_at);
  PutIfSet(j, "approved_by", v.approved_by);
  PutIfSet(j, "approved_at", v.approved_at);
  PutIfSet(j, "published_by", v.published_by);
  PutIfSet(j, "published_at", v.published_at);
  return j;
}

json ToJson(const catalog::MatterSummary& s) {
  return {{"code", s.code},
          {"name", s.name},
          {"kind", EnumId(s.kind)},
          {"basic_item", s.basic_item},
          {"region_code", s.region_code},
          {"department", {{"code", s.department.code}, {"name", s.department.name}}},
          {"handling_type", EnumId(s.handling_type)},
          {"legal_limit", Limit(s.legal_limit)},
          {"promised_limit", Limit(s.promised_limit)},
          {"online_depth", s.online_depth},
          {"visits", s.visits},
          {"lists", Lists(s.lists)},
          {"cross_region_modes", Ids(s.cross_region_modes)},
          {"version", ToJson(s.version)}};
}

json ToJson(const catalog::Matter& m) {
  json j = ToJson(m.item);
  j["name"] = m.basic.name;
  j["kind"] = EnumId(m.basic.kind);
  j["legal_basis"] = m.basic.legal_basis;
  // `department` stays the item's code, as in the file format, so the answer can be sent back
  // with PUT; the name is beside it.
  j["region_code"] = m.item.region;
  j["department_name"] = m.department.name;
  j["version"] = ToJson(m.version);
  return j;
}

json ToJson(const catalog::Region& r) { return {{"code", r.code}, {"name", r.name}}; }

json ToJson(const catalog::Department& d) {
  return {{"code", d.code}, {"name", d.name}, {"uscc", d.uscc}, {"region", d.region}};
}

json ToJson(const catalog::Window& w) {
  json j = {{"code", w.code}, {"name", w.name}, {"region", w.region}, {"kind", EnumId(w.kind)}};
  PutIfSet(j, "department", w.department);
  PutIfSet(j, "address", w.address);
  PutIfSet(j, "hours", w.hours);
  return j;
}

json ToJson(const catalog::Certificate& c) {
  json j = {{"code", c.code},
            {"name", c.name},
            {"issuer", c.issuer},
            {"basis", c.basis},
            {"status", EnumId(c.status)}};
  PutIfSet(j, "cancelled_basis", c.cancelled_basis);
  PutIfSet(j, "licence_type", c.licence_type);
  return j;
}

json ToJson(const catalog::BasicItem& b) {
  return {
      {"code", b.code}, {"name", b.name}, {"kind", EnumId(b.kind)}, {"legal_basis", b.legal_basis}};
}

json ToJson(const catalog::Bundle& b) {
  return {{"code", b.code},
          {"name", b.name},
          {"region", b.region},
          {"matters", b.matters},
          {"process", b.process}};
}

json ToJson(const catalog::CatalogFile& file) {
  auto all = [](const auto& values) {
    json out = json::array();
    for (const auto& v : values) out.push_back(ToJson(v));
    return out;
  };
  return {{"regions", all(file.regions)},
          {"departments", all(file.departments)},
          {"windows", all(file.windows)},
          {"certificates", all(file.certificates)},
          {"basic_items", all(file.basic_items)},
          {"implementation_items", all(file.implementation_items)},
          {"bundles", all(file.bundles)}};
}

}  // namespace tongban::api
