#include "api/register_routes.h"

#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "api/json_body.h"
#include "registers/forms.h"

namespace tongban::api {

using nlohmann::json;

json PersonToJson(const registers::Person& p) {
  json family = json::array();
  for (const auto& f : p.family) {
    family.push_back(
        {{"relation", registers::RelationName(f.relation)}, {"person_id", f.person_id}});
  }
  json disability = nullptr;
  if (p.disability) {
    disability = {{"certificate", p.disability->certificate},
                  {"category", registers::DisabilityCategoryName(p.disability->category)},
                  {"level", p.disability->level}};
  }
  return {{"id", p.id},
          {"id_number", p.id_number},
          {"name", p.name},
          {"sex", SexName(p.sex)},
          {"birth_date", p.birth_date.ToString()},
          {"household_region", p.household_region},
          {"address", p.address},
          {"phone", p.phone},
          {"income_band", registers::IncomeBandName(p.income_band)},
          {"assistance", registers::AssistanceName(p.assistance)},
          {"disability", disability},
          {"long_term_care", p.long_term_care},
          {"status", registers::PersonStatusName(p.status)},
          {"family", family},
          {"version", p.version},
          {"updated_at", p.updated_at},
          {"updated_by", p.updated_by},
          {"masked", p.masked}};
}

json EntityToJson(const registers::Entity& e) {
  return {{"uscc", e.uscc},
          {"name", e.name},
          {"type", registers::EntityTypeName(e.type)},
          {"legal_representative", e.legal_representative},
          {"industry", e.industry},
          {"size", registers::EntitySizeName(e.size)},
          {"registered_region", e.registered_region},
          {"status", registers::EntityStatusName(e.status)},
          {"version", e.version},
          {"updated_at", e.updated_at},
          {"updated_by", e.updated_by}};
}

namespace {

json HistoryToJson(const std::vector<registers::HistoryEntry>& entries) {
  json items = json::array();
  for (const auto& h : entries) {
    items.push_back(
        {{"version", h.version},
         {"changed_at", h.changed_at},
         {"changed_by", h.changed_by},
         {"action", h.action},
         {"old_values", json::parse(h.old_values.empty() ? "{}" : h.old_values, nullptr, false)}});
  }
  return {{"items", items}};
}

class Routes {
 public:
  Routes(registers::Registers& registers, const Auth& auth) : registers_(registers), auth_(auth) {}

  void Persons(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    json items = json::array();
    if (req.has_param("id_number")) {
      auto found = registers_.FindByIdNumber(*caller, req.get_param_value("id_number"));
      if (!found.ok()) return WriteProblem(res, found.error(), ctx);
      for (const auto& p : *found) items.push_back(PersonToJson(p));
      return WriteJson(res, {{"items", items}, {"next", nullptr}});
    }
    const std::string region =
        req.has_param("region") ? req.get_param_value("region") : caller->account.region;
    int limit = 50;
    if (req.has_param("limit")) {
      const std::string l = req.get_param_value("limit");
      auto [ptr, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
      if (ec != std::errc() || ptr != l.data() + l.size()) limit = 0;  // refused by the service
    }
    auto page = registers_.ListPersons(*caller, region, req.get_param_value("after"), limit);
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    for (const auto& p : *page) items.push_back(PersonToJson(p));
    json next = nullptr;
    if (static_cast<int>(page->size()) == limit) {
      next = "/api/v1/persons?region=" + region + "&limit=" + std::to_string(limit) +
             "&after=" + page->back().id;
    }
    WriteJson(res, {{"items", items}, {"next", next}});
  }

  void Person(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto p = registers_.GetPerson(*caller, req.matches[1].str());
    if (!p.ok()) return WriteProblem(res, p.error(), ctx);
    WriteJson(res, PersonToJson(*p));
  }

  void FullRead(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    FieldErrors errors;
    ObjectReader top(*body, "", errors);
    registers::Purpose purpose;
    if (const json* p = top.Member("purpose", json::value_t::object, true)) {
      ObjectReader r(*p, "purpose", errors);
      purpose.code = r.String("code", true).value_or("");
      purpose.text = r.String("text", true).value_or("");
      r.Finish();
    }
    top.Finish();
    if (!errors.empty()) {
      // Still traced as a refused full read: the service checks the purpose it is given.
      purpose = {};
    }
    auto p = registers_.ReadPersonFull(*caller, req.matches[1].str(), purpose);
    if (!errors.empty()) return WriteProblem(res, errors.ToError("bad full-read request"), ctx);
    if (!p.ok()) return WriteProblem(res, p.error(), ctx);
    WriteJson(res, PersonToJson(*p));
  }

  void PersonHistory(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto h = registers_.PersonHistory(*caller, req.matches[1].str());
    if (!h.ok()) return WriteProblem(res, h.error(), ctx);
    WriteJson(res, HistoryToJson(*h));
  }

  // A change to a person's record (a death, a move, a new phone, a certificate): the version
  // read and the fields that change; register.write over the old and the new household region.
  void PatchPerson(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const int64_t version = r.Integer("version", true).value_or(0);
    registers::PersonPatch patch;
    patch.name = r.String("name", false);
    patch.household_region = r.String("household_region", false);
    patch.address = r.String("address", false);
    patch.phone = r.String("phone", false);
    if (auto v = r.String("income_band", false)) {
      patch.income_band = registers::ParseIncomeBand(*v);
      if (!patch.income_band)
        errors.Add("income_band", "must be low | lower_middle | middle | high");
    }
    if (auto v = r.String("assistance", false)) {
      patch.assistance = registers::ParseAssistance(*v);
      if (!patch.assistance) errors.Add("assistance", "is not a known assistance status");
    }
    patch.long_term_care = r.Bool("long_term_care", false);
    if (auto v = r.String("status", false)) {
      patch.status = registers::ParsePersonStatus(*v);
      if (!patch.status) errors.Add("status", "must be alive | deceased");
    }
    if (body->contains("disability") && (*body)["disability"].is_null()) {
      patch.disability = std::optional<registers::Disability>();  // certificate withdrawn
    }
    if (const json* d = r.Member("disability", json::value_t::object, false)) {
      ObjectReader dr(*d, "disability", errors);
      registers::Disability disability;
      disability.certificate = dr.String("certificate", true).value_or("");
      const std::string category = dr.String("category", true).value_or("");
      if (auto c = registers::ParseDisabilityCategory(category)) {
        disability.category = *c;
      } else if (!category.empty()) {
        errors.Add("disability/category", "is not a known disability category");
      }
      disability.level = static_cast<int>(dr.Integer("level", true).value_or(0));
      dr.Finish();
      patch.disability = disability;
    }
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("bad person change"), ctx);
    auto p = registers_.PatchPerson(*caller, req.matches[1].str(), version, patch);
    if (!p.ok()) return WriteProblem(res, p.error(), ctx);
    WriteJson(res, PersonToJson(*p));
  }

  // A change to an entity's record (renamed, new legal representative, deregistered …).
  void PatchEntity(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const int64_t version = r.Integer("version", true).value_or(0);
    registers::EntityPatch patch;
    patch.name = r.String("name", false);
    if (auto v = r.String("type", false)) {
      patch.type = registers::ParseEntityType(*v);
      if (!patch.type) errors.Add("type", "is not a known entity type");
    }
    patch.legal_representative = r.String("legal_representative", false);
    patch.industry = r.String("industry", false);
    if (auto v = r.String("size", false)) {
      patch.size = registers::ParseEntitySize(*v);
      if (!patch.size) errors.Add("size", "is not a known entity size");
    }
    patch.registered_region = r.String("registered_region", false);
    if (auto v = r.String("status", false)) {
      patch.status = registers::ParseEntityStatus(*v);
      if (!patch.status) errors.Add("status", "is not a known entity status");
    }
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("bad entity change"), ctx);
    auto e = registers_.PatchEntity(*caller, req.matches[1].str(), version, patch);
    if (!e.ok()) return WriteProblem(res, e.error(), ctx);
    WriteJson(res, EntityToJson(*e));
  }

  void Entities(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    if (!req.has_param("uscc")) {
      return WriteProblem(
          res, Error(ErrorCode::kInvalidArgument, "give a USCC", {{"uscc", "required"}}), ctx);
    }
    json items = json::array();
    auto e = registers_.GetEntity(*caller, req.get_param_value("uscc"));
    if (e.ok()) {
      items.push_back(EntityToJson(*e));
    } else if (e.error().code() != ErrorCode::kNotFound) {
      return WriteProblem(res, e.error(), ctx);
    }
    WriteJson(res, {{"items", items}, {"next", nullptr}});
  }

  void Entity(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto e = registers_.GetEntity(*caller, req.matches[1].str());
    if (!e.ok()) return WriteProblem(res, e.error(), ctx);
    WriteJson(res, EntityToJson(*e));
  }

  void EntityHistory(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto h = registers_.EntityHistory(*caller, req.matches[1].str());
    if (!h.ok()) return WriteProblem(res, h.error(), ctx);
    WriteJson(res, HistoryToJson(*h));
  }

 private:
  std::optional<people::Principal> Caller(const httplib::Request& req, httplib::Response& res,
                                          const RequestContext& ctx) {
    auto p = auth_.Authenticate(req);
    if (!p.ok()) {
      WriteAuthProblem(res, p.error(), ctx);
      return std::nullopt;
    }
    return std::move(p).value();
  }

  registers::Registers& registers_;
  const Auth& auth_;
};

}  // namespace

void RegisterRegisterRoutes(Server& server, registers::Registers& registers, const Auth& auth) {
  auto routes = std::make_shared<Routes>(registers, auth);
  auto bind = [routes](void (Routes::*method)(const httplib::Request&, httplib::Response&,
                                              RequestContext&)) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  server.Get("/api/v1/persons", bind(&Routes::Persons));
  server.Get(R"(/api/v1/persons/([^/]+))", bind(&Routes::Person));
  server.Patch(R"(/api/v1/persons/([^/]+))", bind(&Routes::PatchPerson));
  server.Post(R"(/api/v1/persons/([^/]+)/full-read)", bind(&Routes::FullRead));
  server.Get(R"(/api/v1/persons/([^/]+)/history)", bind(&Routes::PersonHistory));
  server.Get("/api/v1/entities", bind(&Routes::Entities));
  server.Get(R"(/api/v1/entities/([^/]+))", bind(&Routes::Entity));
  server.Patch(R"(/api/v1/entities/([^/]+))", bind(&Routes::PatchEntity));
  server.Get(R"(/api/v1/entities/([^/]+)/history)", bind(&Routes::EntityHistory));
}

}  // namespace tongban::api

namespace tongban::api {
namespace {

json CardToJson(const devices::IdCard& c) {
  return {{"id_number", c.id_number},
          {"id_number_masked", registers::MaskIdNumber(c.id_number)},
          {"name", c.name},
          {"sex", SexName(c.sex)},
          {"ethnicity", c.ethnicity},
          {"birth_date", c.birth_date.ToString()},
          {"address", c.address},
          {"issuer", c.issuer},
          {"valid_from", c.valid_from},
          {"valid_until", c.valid_until},
          {"photo", c.photo}};
}

json LicenceContext(const licences::Licence& l) {
  json j = l.data.is_object() ? l.data : json::object();
  j["id"] = l.id;
  j["holder_name"] = l.holder_name;
  j["valid_from"] = l.valid_from.ToString();
  j["valid_until"] = l.valid_until ? json(l.valid_until->ToString()) : json(nullptr);
  return j;
}

// Demo only: the card of `id_number` (sex and birth date from the number) with the given name
// and address on the terminal's simulated reader.
void PlaceCard(devices::SimulatedIdCardReader& slot, const httplib::Request& req,
               httplib::Response& res, RequestContext& ctx) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return WriteProblem(res, body.error(), ctx);
  FieldErrors errors;
  ObjectReader r(*body, "", errors);
  const std::string id_number = r.String("id_number", true).value_or("");
  std::string name = r.String("name", true).value_or("");
  std::string address = r.String("address", false).value_or("");
  r.Finish();
  std::optional<IdNumberInfo> info;
  if (!id_number.empty()) {
    auto parsed = ParseIdNumber(id_number);
    if (parsed.ok()) {
      info = std::move(parsed).value();
    } else {
      errors.Add("id_number", "is not a valid 公民身份号码");
    }
  }
  if (!errors.empty()) return WriteProblem(res, errors.ToError("the card is invalid"), ctx);
  const std::chrono::year_month_day& b = info->birth_date;
  auto birth = Date::FromCivil(static_cast<int>(b.year()), static_cast<int>(unsigned{b.month()}),
                               static_cast<int>(unsigned{b.day()}));
  if (!birth.ok()) return WriteProblem(res, birth.error(), ctx);
  devices::IdCard card =
      devices::CardFor(info->normalized, std::move(name), info->sex, *birth, std::move(address));
  const std::string terminal = req.matches[1].str();
  slot.Place(terminal, card);
  WriteJson(res, {{"terminal", terminal}, {"card", CardToJson(card)}});
}

void RemoveCard(devices::SimulatedIdCardReader& slot, const httplib::Request& req,
                httplib::Response& res) {
  slot.Remove(req.matches[1].str());
  res.status = 204;
}

class FormRoutes {
 public:
  FormRoutes(registers::Registers& registers, catalog::CatalogService& catalog, const Auth& auth,
             FormRouteOptions options)
      : registers_(registers), catalog_(catalog), auth_(auth), options_(options) {}

  void ReadCard(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto p = auth_.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    std::string terminal = r.String("terminal", true).value_or("");
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("bad card read"), ctx);
    if (options_.reader == nullptr) {
      return WriteProblem(res, Error(ErrorCode::kUnavailable, "no ID-card reader is configured"),
                          ctx);
    }
    auto card = options_.reader->Read(terminal);
    if (!card.ok()) return WriteProblem(res, card.error(), ctx);
    WriteJson(res, {{"terminal", terminal}, {"card", CardToJson(*card)}});
  }

  void Form(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = auth_.Authenticate(req);
    if (!caller.ok()) return WriteAuthProblem(res, caller.error(), ctx);
    auto form = Prefill(*caller, req.matches[1].str(), req.matches[2].str(),
                        req.get_param_value("id_number"), req.get_param_value("uscc"));
    if (!form.ok()) return WriteProblem(res, form.error(), ctx);
    WriteJson(res, *form);
  }

  Result<json> Prefill(const people::Principal& caller, const std::string& code,
                       const std::string& scenario_code, std::string id_number,
                       const std::string& uscc) {
    TB_ASSIGN_OR_RETURN(Compiled compiled, Scenario(code, scenario_code));
    const catalog::Scenario* scenario = &compiled.scenario;
    const registers::FormFiller* filler = compiled.filler.get();
    registers::FormSubject subject;
    if (id_number.empty()) id_number = caller.account.id_number;
    const registers::Purpose purpose{.code = "case_handling",
                                     .text = "预填申请表：" + code + "/" + scenario_code};
    json applicant = json::object();
    if (!id_number.empty()) {
      auto person = registers_.ReadApplicant(caller, id_number, purpose);
      if (person.ok()) {
        applicant["id_number"] = registers::MaskIdNumber(person->id_number);
        applicant["name"] = person->name;
        subject.person = std::move(person).value();
      } else if (person.error().code() != ErrorCode::kNotFound) {
        return person.error();
      }
      AddLicences(id_number, subject);
      // A citizen filling their own form applies in person (not through someone else).
      if (caller.account.kind == people::AccountKind::kCitizen &&
          id_number == caller.account.id_number) {
        subject.by_agent = false;
      }
    }
    if (!uscc.empty()) {
      auto entity = registers_.ReadApplicantEntity(caller, uscc);
      if (entity.ok()) {
        applicant["uscc"] = entity->uscc;
        applicant["entity_name"] = entity->name;
        subject.entity = std::move(entity).value();
        // For an enterprise: its authorised agent applies on its behalf, its legal
        // representative does not; staff reading the register do not know.
        subject.by_agent = AgentFor(caller, subject.entity->uscc);
      } else if (entity.error().code() != ErrorCode::kNotFound) {
        return entity.error();
      }
      AddLicences(subject.entity ? subject.entity->uscc : uscc, subject);
    }
    const auto fields = filler->Fill(subject, TodayInChina(registers_.clock()));
    json items = json::array();
    int filled = 0;
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& spec = scenario->form[i];
      const auto& f = fields[i];
      if (!f.value.is_null()) ++filled;
      json item = {{"name", f.name},
                   {"label", f.label},
                   {"type", std::string(catalog::EnumId(spec.type))},
                   {"required", spec.required},
                   {"value", f.value},
                   {"source", f.source}};
      if (!spec.options.empty()) item["options"] = spec.options;
      if (!f.problem.empty()) item["problem"] = f.problem;
      items.push_back(std::move(item));
    }
    return json{{"matter", code},
                {"scenario", scenario_code},
                {"applicant", applicant},
                {"prefilled", filled},
                {"fields", items}};
  }

  void Check(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = auth_.Authenticate(req);
    if (!caller.ok()) return WriteAuthProblem(res, caller.error(), ctx);
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const json* form = r.Member("form", json::value_t::object, true);
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("bad form check"), ctx);
    auto compiled = Scenario(req.matches[1].str(), req.matches[2].str());
    if (!compiled.ok()) return WriteProblem(res, compiled.error(), ctx);
    const registers::FormFiller* filler = compiled->filler.get();
    FieldErrors problems;
    filler->Validate(*form, problems);
    json out = json::array();
    for (const auto& f : problems.fields())
      out.push_back({{"field", f.field}, {"message", f.message}});
    WriteJson(res, {{"valid", problems.empty()}, {"errors", out}});
  }

 private:
  // The scenario and its form compiled once per published version (a new version has a new
  // id, so a changed form is compiled afresh).
  struct Compiled {
    catalog::Scenario scenario;
    std::shared_ptr<const registers::FormFiller> filler;
  };
  Result<Compiled> Scenario(const std::string& code, const std::string& scenario_code) {
    TB_ASSIGN_OR_RETURN(catalog::Matter m, catalog_.GetMatter(code));
    const std::string key = m.version.id + "/" + scenario_code;
    {
      std::lock_guard lock(mu_);
      if (auto it = compiled_.find(key); it != compiled_.end()) return it->second;
    }
    for (const auto& s : m.item.scenarios) {
      if (s.code != scenario_code) continue;
      TB_ASSIGN_OR_RETURN(registers::FormFiller filler, registers::FormFiller::Compile(s.form));
      Compiled c{.scenario = s,
                 .filler = std::make_shared<const registers::FormFiller>(std::move(filler))};
      std::lock_guard lock(mu_);
      if (compiled_.size() >= 1000) compiled_.clear();  // bounded: versions come and go
      compiled_.emplace(key, c);
      return c;
    }
    return Error(ErrorCode::kNotFound, "the matter has no scenario " + scenario_code);
  }

  // Whether `caller` acts for the enterprise `uscc` as its agent (true) or legal representative
  // (false) today; nullopt when the caller does not act for it.
  std::optional<bool> AgentFor(const people::Principal& caller, const std::string& uscc) const {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            registers_.clock().Now().time_since_epoch())
                            .count();
    for (const auto& a : caller.agencies) {
      if (a.uscc != uscc || a.valid_from > now || (a.valid_until && *a.valid_until <= now)) {
        continue;
      }
      return a.relation == people::EnterpriseRelation::kAgent;
    }
    return std::nullopt;
  }

  void AddLicences(const std::string& holder, registers::FormSubject& subject) const {
    if (options_.licences == nullptr) return;
    auto held = options_.licences->ListByHolder(holder);
    if (!held.ok()) return;
    for (const auto& l : *held) {
      if (l.status == licences::LicenceStatus::kValid) {
        subject.licences[l.type_name] = LicenceContext(l);
      }
    }
  }

  registers::Registers& registers_;
  catalog::CatalogService& catalog_;
  const Auth& auth_;
  FormRouteOptions options_;
  std::mutex mu_;
  std::map<std::string, Compiled> compiled_;
};

}  // namespace

FormPrefill RegisterFormRoutes(Server& server, registers::Registers& registers,
                               catalog::CatalogService& catalog, const Auth& auth,
                               FormRouteOptions options) {
  auto routes = std::make_shared<FormRoutes>(registers, catalog, auth, options);
  auto bind = [routes](void (FormRoutes::*method)(const httplib::Request&, httplib::Response&,
                                                  RequestContext&)) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  server.Post("/api/v1/id-card-reads", bind(&FormRoutes::ReadCard));
  if (options.card_slot != nullptr) {
    devices::SimulatedIdCardReader* slot = options.card_slot;
    server.Put(R"(/api/v1/dev/id-card-readers/([^/]+))",
               [slot](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
                 PlaceCard(*slot, req, res, ctx);
               });
    server.Delete(R"(/api/v1/dev/id-card-readers/([^/]+))",
                  [slot](const httplib::Request& req, httplib::Response& res, RequestContext&) {
                    RemoveCard(*slot, req, res);
                  });
  }
  server.Get(R"(/api/v1/matters/([^/]+)/scenarios/([^/]+)/form)", bind(&FormRoutes::Form));
  server.Post(R"(/api/v1/matters/([^/]+)/scenarios/([^/]+)/form/check)", bind(&FormRoutes::Check));
  return
      [routes](const people::Principal& caller, const std::string& matter,
               const std::string& scenario, const std::string& id_number, const std::string& uscc) {
        return routes->Prefill(caller, matter, scenario, id_number, uscc);
      };
}

}  // namespace tongban::api
