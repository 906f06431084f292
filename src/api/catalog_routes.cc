#include "api/catalog_routes.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "api/catalog_json.h"
#include "api/json_body.h"
#include "catalog/guide.h"
#include "catalog/yaml_io.h"

namespace tongban::api {
namespace {

using nlohmann::json;

const char* const kMatterPath = R"(/api/v1/matters/([^/]+))";

// Parses a whole-number query parameter in [min, max]; records an error naming it otherwise.
std::optional<int> IntParam(const httplib::Request& req, const char* name, int min, int max,
                            FieldErrors& errors) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string text = req.get_param_value(name);
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    errors.Add(name, fmt::format("must be a whole number from {} to {}", min, max));
    return std::nullopt;
  }
  return v;
}

template <typename E>
std::optional<E> EnumParam(const httplib::Request& req, const char* name, FieldErrors& errors) {
  if (!req.has_param(name)) return std::nullopt;
  auto v = catalog::ParseEnum<E>(req.get_param_value(name));
  if (!v) errors.Add(name, fmt::format("must be one of {}", catalog::EnumIds<E>()));
  return v;
}

std::optional<Date> DateParam(const httplib::Request& req, const char* name, FieldErrors& errors) {
  if (!req.has_param(name)) return std::nullopt;
  auto d = Date::Parse(req.get_param_value(name), name);
  if (!d.ok()) {
    errors.Add(name, d.error().message());
    return std::nullopt;
  }
  return *d;
}

// The service names MatterFilter's fields; the client sent query parameters, and its problem
// names those.
Error AsQueryError(const Error& e) {
  std::vector<FieldError> fields = e.fields();
  for (FieldError& f : fields) {
    if (f.field == "keyword") f.field = "q";
  }
  return Error(e.code(), e.message(), std::move(fields));
}

// A true/false query parameter; false when absent, an error naming it for anything else.
bool BoolParam(const httplib::Request& req, const char* name, FieldErrors& errors) {
  if (!req.has_param(name)) return false;
  const std::string text = req.get_param_value(name);
  if (text == "true") return true;
  if (text != "false") errors.Add(name, "must be true or false");
  return false;
}

// The revision named by If-Match: `"12"`, `W/"12"` or `12`. nullopt when absent; an error when
// present but not a revision.
Result<std::optional<int64_t>> IfMatch(const httplib::Request& req) {
  if (!req.has_header("If-Match")) return std::optional<int64_t>();
  std::string v = req.get_header_value("If-Match");
  if (v.starts_with("W/")) v = v.substr(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int64_t rev = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), rev);
  if (ec != std::errc() || end != v.data() + v.size() || rev < 0) {
    return Error(ErrorCode::kInvalidArgument, "If-Match must be an ETag from this API, e.g. \"3\"",
                 {{"If-Match", "is not a revision"}});
  }
  return std::optional<int64_t>(rev);
}

void WriteMatter(httplib::Response& res, const catalog::Matter& m, int status = 200) {
  res.set_header("ETag", fmt::format("\"{}\"", m.version.revision));
  WriteJson(res, ToJson(m), status);
}

// Percent-encodes a query or path component (RFC 3986 unreserved characters stay as they are).
std::string Encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Reads one implementation item from a JSON body through the catalog's own reader, so the API
// and the file format accept exactly the same thing and report problems with the same paths.
Result<catalog::ImplementationItem> ItemFromBody(const httplib::Request& req) {
  TB_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  // A matter as GET answers it may be sent back as it is: what it adds to the item (inherited
  // from the basic item, the department's name, the version) is read-only and dropped here.
  for (const char* read_only :
       {"name", "kind", "legal_basis", "region_code", "department_name", "version"}) {
    body.erase(read_only);
  }
  // Canonical JSON (which is YAML) inside a file with one item; the body was checked to be one
  // object, so it cannot reach outside its array slot.
  const std::string text = "{\"implementation_items\": [" + body.dump() + "]}";
  FieldErrors shape;
  catalog::CatalogFile file = catalog::ParseCatalogJson(text, shape);
  if (!shape.empty()) {
    FieldErrors errors;
    const std::string prefix = "implementation_items/0/";
    for (const FieldError& f : shape.fields()) {
      errors.Add(f.field.starts_with(prefix) ? f.field.substr(prefix.size()) : f.field, f.message);
    }
    return errors.ToError("the matter is invalid");
  }
  if (file.implementation_items.size() != 1) {
    return Error(ErrorCode::kMalformedBody, "the body must be one implementation item");
  }
  return std::move(file.implementation_items.front());
}

people::Target TargetOf(const catalog::ImplementationItem& item) {
  return {.region = item.region, .department = item.department, .matter = item.code};
}

// catalog.write over the new content and, when the matter exists, over the stored one too:
// an editor of region A cannot take over region B's matter by sending its code with region A.
Status RequireOverStoredAndNew(catalog::CatalogService& catalog, const Auth& auth,
                               const people::Principal& p,
                               const catalog::ImplementationItem& item) {
  TB_RETURN_IF_ERROR(auth.Require(p, "catalog.write", TargetOf(item)));
  auto stored = catalog.GetLatestMatter(item.code);
  if (stored.ok()) return auth.Require(p, "catalog.write", TargetOf(stored->item));
  if (stored.error().code() != ErrorCode::kNotFound) return std::move(stored).error();
  return Ok();
}

// The answers of a guide request: {"answers": {"<question id>": "<option value>", ...},
// "as_of": "YYYY-MM-DD"} (both optional), every problem named by its path.
Result<std::pair<catalog::GuideAnswers, std::optional<Date>>> GuideRequestFromBody(
    const httplib::Request& req) {
  catalog::GuideAnswers answers;
  std::optional<Date> as_of;
  if (req.body.empty()) return std::make_pair(answers, as_of);
  TB_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  FieldErrors errors;
  ObjectReader r(body, "", errors);
  if (const json* a = r.Member("answers", json::value_t::object, false)) {
    for (const auto& [id, value] : a->items()) {
      if (!value.is_string()) {
        errors.Add("answers/" + id,
                   "must be the value of one of the question's options (a string)");
      } else {
        answers[id] = value.get<std::string>();
      }
    }
  }
  if (auto text = r.String("as_of", false)) {
    auto d = Date::Parse(*text, "as_of");
    if (d.ok()) {
      as_of = *d;
    } else {
      errors.Add("as_of", d.error().message());
    }
  }
  r.Finish();
  if (!errors.empty()) return errors.ToError("the guide request is invalid");
  return std::make_pair(std::move(answers), as_of);
}

json GuideStepJson(const catalog::Matter& m, const catalog::GuideStep& step) {
  json answered = json::array();
  for (const auto& a : step.answered) {
    answered.push_back(
        {{"question", a.question}, {"text", a.text}, {"value", a.value}, {"label", a.label}});
  }
  return {{"matter",
           {{"code", m.item.code},
            {"name", m.basic.name},
            {"version_id", m.version.id},
            {"department", {{"code", m.department.code}, {"name", m.department.name}}}}},
          {"answered", std::move(answered)},
          {"question", step.question ? ToJson(*step.question) : json(nullptr)},
          {"scenario", step.scenario ? ToJson(*step.scenario) : json(nullptr)}};
}

}  // namespace

void RegisterCatalogRoutes(Server& server, catalog::CatalogService& catalog, const Auth& auth,
                           const GuideAnswerHook& extra) {
  server.Get("/api/v1/matters",
             [&catalog](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
               FieldErrors errors;
               catalog::MatterFilter filter;
               catalog::PageRequest page;
               page.limit = IntParam(req, "limit", 1, 100, errors).value_or(20);
               page.cursor = req.get_param_value("cursor");
               filter.region = req.get_param_value("region");
               filter.department = req.get_param_value("department");
               filter.kind = EnumParam<catalog::Kind>(req, "kind", errors);
               filter.list = EnumParam<catalog::ServiceList>(req, "list", errors);
               filter.level = EnumParam<catalog::Level>(req, "level", errors);
               filter.mode = EnumParam<catalog::CrossRegionMode>(req, "mode", errors);
               filter.keyword = req.get_param_value("q");
               filter.as_of = DateParam(req, "as_of", errors);
               if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid query"), ctx);
               auto result = catalog.ListMatters(filter, page);
               if (!result.ok()) return WriteProblem(res, AsQueryError(result.error()), ctx);
               json items = json::array();
               for (const auto& m : result->items) items.push_back(ToJson(m));
               json next = nullptr;
               if (!result->next_cursor.empty()) {
                 // The next page keeps every filter of this one.
                 std::string url = fmt::format("/api/v1/matters?limit={}&cursor={}", page.limit,
                                               Encode(result->next_cursor));
                 for (const char* p :
                      {"region", "department", "kind", "list", "level", "mode", "q", "as_of"}) {
                   if (req.has_param(p))
                     url += fmt::format("&{}={}", p, Encode(req.get_param_value(p)));
                 }
                 next = url;
               }
               WriteJson(res, {{"items", std::move(items)}, {"next", std::move(next)}});
             });

  // Search in Chinese (catalog/search.h): registered before /matters/{code}, which would
  // otherwise take "search" for a code.
  server.Get("/api/v1/matters/search", [&catalog](const httplib::Request& req,
                                                  httplib::Response& res, RequestContext& ctx) {
    FieldErrors errors;
    catalog::MatterFilter filter;
    catalog::PageRequest page;
    page.limit = IntParam(req, "limit", 1, 100, errors).value_or(20);
    page.cursor = req.get_param_value("cursor");
    filter.region = req.get_param_value("region");
    filter.department = req.get_param_value("department");
    filter.kind = EnumParam<catalog::Kind>(req, "kind", errors);
    filter.list = EnumParam<catalog::ServiceList>(req, "list", errors);
    filter.level = EnumParam<catalog::Level>(req, "level", errors);
    filter.mode = EnumParam<catalog::CrossRegionMode>(req, "mode", errors);
    filter.as_of = DateParam(req, "as_of", errors);
    if (!req.has_param("q")) errors.Add("q", "is required");
    if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid query"), ctx);
    auto result = catalog.SearchMatters(req.get_param_value("q"), filter, page);
    if (!result.ok()) return WriteProblem(res, result.error(), ctx);
    json items = json::array();
    for (const auto& r : result->items) {
      json j = ToJson(r.matter);
      j["score"] = r.score;
      items.push_back(std::move(j));
    }
    json next = nullptr;
    if (!result->next_cursor.empty()) {
      std::string url = fmt::format("/api/v1/matters/search?limit={}&cursor={}", page.limit,
                                    Encode(result->next_cursor));
      for (const char* p :
           {"q", "region", "department", "kind", "list", "level", "mode", "as_of"}) {
        if (req.has_param(p)) url += fmt::format("&{}={}", p, Encode(req.get_param_value(p)));
      }
      next = url;
    }
    WriteJson(res,
              {{"items", std::move(items)}, {"next", std::move(next)}, {"terms", result->terms}});
  });

  // 智能导办: the answers so far in, the next question or the scenario out; ?format=text or
  // ?format=html gives the printable checklist instead of JSON. Public, like the matter itself.
  server.Post(
      R"(/api/v1/matters/([^/]+)/guide)",
      [&catalog, extra](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
        if (format != "json" && format != "text" && format != "html") {
          FieldErrors errors;
          errors.Add("format", "must be json, text or html");
          return WriteProblem(res, errors.ToError("invalid query"), ctx);
        }
        auto request = GuideRequestFromBody(req);
        if (!request.ok()) return WriteProblem(res, request.error(), ctx);
        auto result =
            catalog.RunMatterGuide(std::string(req.matches[1]), request->first, request->second);
        if (!result.ok()) return WriteProblem(res, result.error(), ctx);
        const auto& [matter, step] = *result;
        if (format == "text") {
          return res.set_content(catalog::ChecklistText(matter, step), "text/plain; charset=utf-8");
        }
        if (format == "html") {
          return res.set_content(catalog::ChecklistHtml(matter, step), "text/html; charset=utf-8");
        }
        json answer = GuideStepJson(matter, step);
        if (extra && step.scenario) {
          Status completed = extra(req, matter, *step.scenario, answer);
          if (!completed.ok()) return WriteAuthProblem(res, completed.error(), ctx);
        }
        WriteJson(res, answer);
      });

  server.Get(kMatterPath, [&catalog, &auth](const httplib::Request& req, httplib::Response& res,
                                            RequestContext& ctx) {
    FieldErrors errors;
    auto version = IntParam(req, "version", 1, 1'000'000, errors);
    auto as_of = DateParam(req, "as_of", errors);
    if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid query"), ctx);
    const std::string code = req.matches[1];
    auto m = version ? catalog.GetMatterVersion(code, *version) : catalog.GetMatter(code, as_of);
    if (!m.ok()) return WriteProblem(res, m.error(), ctx);
    // Unpublished versions are working papers, not public information.
    if (m->version.status != catalog::VersionStatus::kPublished) {
      auto p = auth.AuthenticateAndRequire(req, "catalog.write", TargetOf(m->item));
      if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    }
    WriteMatter(res, *m);
  });

  // The newest version whatever its status, and the version history: for editors.
  server.Get(
      R"(/api/v1/matters/([^/]+)/versions)",
      [&catalog, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        const std::string code = req.matches[1];
        auto latest = catalog.GetLatestMatter(code);
        if (!latest.ok()) return WriteProblem(res, latest.error(), ctx);
        auto p = auth.AuthenticateAndRequire(req, "catalog.write", TargetOf(latest->item));
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto versions = catalog.ListVersions(code);
        if (!versions.ok()) return WriteProblem(res, versions.error(), ctx);
        json items = json::array();
        for (const auto& v : *versions) items.push_back(ToJson(v));
        res.set_header("ETag", fmt::format("\"{}\"", latest->version.revision));
        WriteJson(res, {{"items", std::move(items)}, {"latest", ToJson(*latest)}});
      });

  server.Post("/api/v1/matters", [&catalog, &auth](const httplib::Request& req,
                                                   httplib::Response& res, RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    auto item = ItemFromBody(req);
    if (!item.ok()) return WriteProblem(res, item.error(), ctx);
    Status allowed = RequireOverStoredAndNew(catalog, auth, *p, *item);
    if (!allowed.ok()) return WriteAuthProblem(res, allowed.error(), ctx);
    auto rev = IfMatch(req);
    if (!rev.ok()) return WriteProblem(res, rev.error(), ctx);
    auto m = catalog.CreateDraft(*item, *rev, p->account.id);
    if (!m.ok()) return WriteProblem(res, m.error(), ctx);
    res.set_header("Location", "/api/v1/matters/" + Encode(m->item.code) +
                                   "?version=" + std::to_string(m->version.version));
    WriteMatter(res, *m, 201);
  });

  server.Put(kMatterPath, [&catalog, &auth](const httplib::Request& req, httplib::Response& res,
                                            RequestContext& ctx) {
    const std::string code = req.matches[1];
    auto item = ItemFromBody(req);
    if (!item.ok()) return WriteProblem(res, item.error(), ctx);
    if (item->code != code) {
      return WriteProblem(res,
                          Error(ErrorCode::kInvalidArgument, "the body names another matter",
                                {{"code", fmt::format("must be {} as in the path", code)}}),
                          ctx);
    }
    // Authorised over both the stored item and the new content: moving a matter to another
    // region or department needs rights over both.
    auto latest = catalog.GetLatestMatter(code);
    if (!latest.ok()) return WriteProblem(res, latest.error(), ctx);
    auto p = auth.AuthenticateAndRequire(req, "catalog.write", TargetOf(latest->item));
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    Status also = auth.Require(*p, "catalog.write", TargetOf(*item));
    if (!also.ok()) return WriteAuthProblem(res, also.error(), ctx);
    auto rev = IfMatch(req);
    if (!rev.ok()) return WriteProblem(res, rev.error(), ctx);
    auto m = catalog.UpdateDraft(code, *item, *rev, p->account.id);
    if (!m.ok()) return WriteProblem(res, m.error(), ctx);
    WriteMatter(res, *m);
  });

  server.Post(
      R"(/api/v1/matters/([^/]+)/approve)",
      [&catalog, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        const std::string code = req.matches[1];
        auto latest = catalog.GetLatestMatter(code);
        if (!latest.ok()) return WriteProblem(res, latest.error(), ctx);
        auto p = auth.AuthenticateAndRequire(req, "catalog.approve", TargetOf(latest->item));
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto rev = IfMatch(req);
        if (!rev.ok()) return WriteProblem(res, rev.error(), ctx);
        auto m = catalog.Approve(code, *rev, p->account.id);
        if (!m.ok()) return WriteProblem(res, m.error(), ctx);
        WriteMatter(res, *m);
      });

  server.Post(
      R"(/api/v1/matters/([^/]+)/publish)",
      [&catalog, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        const std::string code = req.matches[1];
        auto body = ParseJsonBody(req);
        if (!body.ok()) return WriteProblem(res, body.error(), ctx);
        FieldErrors errors;
        ObjectReader r(*body, "", errors);
        auto effective = r.String("effective_from", true);
        r.Finish();
        std::optional<Date> date;
        if (effective) {
          auto d = Date::Parse(*effective, "effective_from");
          if (d.ok())
            date = *d;
          else
            errors.Add("effective_from", d.error().message());
        }
        if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid publication"), ctx);
        auto latest = catalog.GetLatestMatter(code);
        if (!latest.ok()) return WriteProblem(res, latest.error(), ctx);
        auto p = auth.AuthenticateAndRequire(req, "catalog.publish", TargetOf(latest->item));
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto rev = IfMatch(req);
        if (!rev.ok()) return WriteProblem(res, rev.error(), ctx);
        auto m = catalog.Publish(code, *date, *rev, p->account.id);
        if (!m.ok()) return WriteProblem(res, m.error(), ctx);
        WriteMatter(res, *m);
      });

  // Reference lists, public.
  auto list_route = [&server](const char* path, auto fetch) {
    server.Get(path, [fetch](const httplib::Request&, httplib::Response& res, RequestContext& ctx) {
      auto values = fetch();
      if (!values.ok()) return WriteProblem(res, values.error(), ctx);
      json items = json::array();
      for (const auto& v : *values) items.push_back(ToJson(v));
      WriteJson(res, {{"items", std::move(items)}});
    });
  };
  list_route("/api/v1/regions", [&catalog] { return catalog.ListRegions(); });
  list_route("/api/v1/departments", [&catalog] { return catalog.ListDepartments(); });
  list_route("/api/v1/windows", [&catalog] { return catalog.ListWindows(); });
  list_route("/api/v1/basic-items", [&catalog] { return catalog.ListBasicItems(); });
  list_route("/api/v1/bundles", [&catalog] { return catalog.ListBundles(); });
  server.Get("/api/v1/certificates",
             [&catalog](const httplib::Request&, httplib::Response& res, RequestContext& ctx) {
               auto values = catalog.ListCertificates();
               if (!values.ok()) return WriteProblem(res, values.error(), ctx);
               auto counts = catalog.CountCertificates();
               if (!counts.ok()) return WriteProblem(res, counts.error(), ctx);
               json items = json::array();
               for (const auto& v : *values) items.push_back(ToJson(v));
               WriteJson(res, {{"items", std::move(items)},
                               {"retained", counts->retained},
                               {"cancelled", counts->cancelled}});
             });

  // The whole catalog as JSON: the API twin of `tongban catalog export` / `import`.
  server.Get("/api/v1/catalog",
             [&catalog](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
               FieldErrors errors;
               catalog::ExportOptions options;
               options.in_force_at = DateParam(req, "as_of", errors);
               if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid query"), ctx);
               // Without a date only published versions are public: export what is in force today.
               if (!options.in_force_at) options.in_force_at = catalog.Today();
               auto file = catalog.Export(options);
               if (!file.ok()) return WriteProblem(res, file.error(), ctx);
               WriteJson(res, ToJson(*file));
             });
  server.Post("/api/v1/catalog", [&catalog, &auth](const httplib::Request& req,
                                                   httplib::Response& res, RequestContext& ctx) {
    FieldErrors query;
    const bool replace_drafts = BoolParam(req, "replace_drafts", query);
    if (!query.empty()) return WriteProblem(res, query.ToError("invalid query"), ctx);
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    // Shape first (every error at once), then rights over every item it touches.
    FieldErrors shape;
    const std::string text = body->dump();
    catalog::CatalogFile file = catalog::ParseCatalogJson(text, shape);
    if (!shape.empty()) return WriteProblem(res, shape.ToError("the catalog is invalid"), ctx);
    for (const auto& item : file.implementation_items) {
      Status s = RequireOverStoredAndNew(catalog, auth, *p, item);
      if (!s.ok()) return WriteAuthProblem(res, s.error(), ctx);
    }
    if (!file.departments.empty() || !file.regions.empty() || !file.windows.empty() ||
        !file.certificates.empty() || !file.basic_items.empty()) {
      // Reference data has no single region: only a grant without region limits may change it.
      Status s = auth.Require(*p, "catalog.write", {});
      if (!s.ok()) return WriteAuthProblem(res, s.error(), ctx);
    }
    if (!file.bundles.empty()) {
      // A bundle (一件事) is its region's: catalog.write over that region, and over the region
      // of the stored bundle it replaces (no taking over another region's bundle by its code).
      auto stored = catalog.ListBundles();
      if (!stored.ok()) return WriteProblem(res, stored.error(), ctx);
      for (const auto& bundle : file.bundles) {
        Status s = auth.Require(*p, "catalog.write", {.region = bundle.region});
        for (const auto& old : *stored) {
          if (s.ok() && old.code == bundle.code) {
            s = auth.Require(*p, "catalog.write", {.region = old.region});
          }
        }
        if (!s.ok()) return WriteAuthProblem(res, s.error(), ctx);
      }
    }
    catalog::ImportOptions options{.actor = p->account.id,
                                   .open_drafts = replace_drafts ? catalog::OpenDrafts::kReplace
                                                                 : catalog::OpenDrafts::kRefuse};
    auto summary = catalog.Import(file, options);
    if (!summary.ok()) return WriteProblem(res, summary.error(), ctx);
    WriteJson(res, {{"regions", summary->regions},
                    {"departments", summary->departments},
                    {"windows", summary->windows},
                    {"certificates", summary->certificates},
                    {"basic_items", summary->basic_items},
                    {"bundles", summary->bundles},
                    {"items_created", summary->items_created},
                    {"versions_created", summary->versions_created},
                    {"drafts_updated", summary->drafts_updated},
                    {"unchanged", summary->unchanged}});
  });
}

}  // namespace tongban::api
