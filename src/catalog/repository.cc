#include "catalog/repository.h"

#include <fmt/format.h>

#include <deque>
#include <sstream>
#include <stdexcept>

#include "catalog/search.h"
#include "catalog/text.h"
#include "catalog/yaml_io.h"
#include "store/explain.h"

namespace tongban {
extern const EmbeddedFile kCatalogSql[];
extern const size_t kCatalogSql_count;
}  // namespace tongban

namespace tongban::catalog {
namespace {

// A stored enum id that no longer parses means the row was not written by this code.
template <typename E>
E StoredEnum(const std::string& id, std::string_view column) {
  auto v = ParseEnum<E>(id);
  if (!v) throw std::runtime_error(fmt::format("catalog: unknown {} '{}' stored", column, id));
  return *v;
}

std::string ListsText(const ServiceLists& lists) {
  std::string out;
  for (const auto& spec : EnumSpecs<ServiceList>()) {
    for (Level level : lists.Of(spec.value)) {
      if (!out.empty()) out += ' ';
      out += fmt::format("{}:{}", spec.id, EnumId(level));
    }
  }
  return out;
}

ServiceLists ParseListsText(const std::string& text) {
  ServiceLists out;
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    const size_t colon = token.find(':');
    if (colon == std::string::npos) continue;
    auto list = StoredEnum<ServiceList>(token.substr(0, colon), "list");
    out.Of(list).push_back(StoredEnum<Level>(token.substr(colon + 1), "level"));
  }
  return out;
}

std::string ModesText(const std::vector<CrossRegionMode>& modes) {
  std::string out;
  for (CrossRegionMode m : modes) {
    if (!out.empty()) out += ' ';
    out += EnumId(m);
  }
  return out;
}

std::vector<CrossRegionMode> ParseModesText(const std::string& text) {
  std::vector<CrossRegionMode> out;
  std::istringstream in(text);
  std::string token;
  while (in >> token) out.push_back(StoredEnum<CrossRegionMode>(token, "mode"));
  return out;
}

// What keyword search looks through: codes, name, keywords and aliases, lower-cased, one a line.
std::string SearchText(const ImplementationItem& item, const BasicItem& basic) {
  std::string out = item.code + "\n" + basic.code + "\n" + basic.name;
  for (const auto& k : item.keywords) out += "\n" + k;
  for (const auto& a : item.aliases) out += "\n" + a;
  return AsciiLower(out);
}

// Named parameters bound by reference: the deques keep every value at a fixed address until the
// statement has run.
class Params {
 public:
  void Add(std::string name, std::string value) {
    strings_.emplace_back(std::move(name), std::move(value));
  }
  void Add(std::string name, int value) { ints_.emplace_back(std::move(name), value); }
  void BindTo(soci::statement& st) {
    for (auto& [name, value] : strings_) st.exchange(soci::use(value, name));
    for (auto& [name, value] : ints_) st.exchange(soci::use(value, name));
  }

 private:
  std::deque<std::pair<std::string, std::string>> strings_;
  std::deque<std::pair<std::string, int>> ints_;
};

// The columns of `version_columns` (and optionally the body), fetched row by row.
struct VersionRow {
  std::string id, item_code, status, effective_from, basic_code, name, kind, legal_basis,
      department_code, department_name, region_code, handling_type, legal_limit_unit,
      promised_limit_unit, lists, modes, created_by, created_at, updated_by, updated_at,
      approved_by, approved_at, published_by, published_at, body;
  int version = 0, legal_limit_value = 0, promised_limit_value = 0, online_depth = 0, visits = 0;
  long long revision = 0;
  soci::indicator effective_ind = soci::i_ok, promised_value_ind = soci::i_ok,
                  promised_unit_ind = soci::i_ok, approved_by_ind = soci::i_ok,
                  approved_at_ind = soci::i_ok, published_by_ind = soci::i_ok,
                  published_at_ind = soci::i_ok;

  void BindTo(soci::statement& st, bool with_body) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(item_code));
    st.exchange(soci::into(version));
    st.exchange(soci::into(status));
    st.exchange(soci::into(effective_from, effective_ind));
    st.exchange(soci::into(basic_code));
    st.exchange(soci::into(name));
    st.exchange(soci::into(kind));
    st.exchange(soci::into(legal_basis));
    st.exchange(soci::into(department_code));
    st.exchange(soci::into(department_name));
    st.exchange(soci::into(region_code));
    st.exchange(soci::into(handling_type));
    st.exchange(soci::into(legal_limit_value));
    st.exchange(soci::into(legal_limit_unit));
    st.exchange(soci::into(promised_limit_value, promised_value_ind));
    st.exchange(soci::into(promised_limit_unit, promised_unit_ind));
    st.exchange(soci::into(online_depth));
    st.exchange(soci::into(visits));
    st.exchange(soci::into(lists));
    st.exchange(soci::into(modes));
    st.exchange(soci::into(created_by));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(updated_by));
    st.exchange(soci::into(updated_at));
    st.exchange(soci::into(approved_by, approved_by_ind));
    st.exchange(soci::into(approved_at, approved_at_ind));
    st.exchange(soci::into(published_by, published_by_ind));
    st.exchange(soci::into(published_at, published_at_ind));
    st.exchange(soci::into(revision));
    if (with_body) st.exchange(soci::into(body));
  }

  static std::string Nullable(const std::string& s, soci::indicator ind) {
    return ind == soci::i_null ? std::string() : s;
  }

  VersionInfo Info() const {
    VersionInfo v;
    v.id = id;
    v.version = version;
    v.status = StoredEnum<VersionStatus>(status, "status");
    if (effective_ind != soci::i_null) {
      auto date = Date::Parse(effective_from, "effective_from");
      if (!date.ok()) throw std::runtime_error("catalog: stored " + date.error().ToString());
      v.effective_from = *date;
    }
    v.revision = revision;
    v.created_by = created_by;
    v.created_at = created_at;
    v.updated_by = updated_by;
    v.updated_at = updated_at;
    v.approved_by = Nullable(approved_by, approved_by_ind);
    v.approved_at = Nullable(approved_at, approved_at_ind);
    v.published_by = Nullable(published_by, published_by_ind);
    v.published_at = Nullable(published_at, published_at_ind);
    return v;
  }

  MatterSummary Summary() const {
    MatterSummary s;
    s.code = item_code;
    s.name = name;
    s.kind = StoredEnum<Kind>(kind, "kind");
    s.basic_item = basic_code;
    s.region_code = region_code;
    s.department = {department_code, department_name};
    s.handling_type = StoredEnum<HandlingType>(handling_type, "handling_type");
    s.legal_limit = {legal_limit_value, StoredEnum<LimitUnit>(legal_limit_unit, "unit")};
    if (promised_value_ind != soci::i_null && promised_unit_ind != soci::i_null) {
      s.promised_limit =
          TimeLimit{promised_limit_value, StoredEnum<LimitUnit>(promised_limit_unit, "unit")};
    }
    s.online_depth = online_depth;
    s.visits = visits;
    s.lists = ParseListsText(lists);
    s.cross_region_modes = ParseModesText(modes);
    s.version = Info();
    return s;
  }
};

// Runs `text` with `params`, calling `on_row` after each fetched row of `row`.
template <typename OnRow>
void ForEachVersionRow(soci::session& sql, const std::string& text, Params& params, bool with_body,
                       OnRow on_row) {
  VersionRow row;
  soci::statement st(sql);
  st.alloc();
  st.prepare(text, soci::details::st_one_time_query);
  params.BindTo(st);
  row.BindTo(st, with_body);
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) on_row(row);
}

// Binds the content columns shared by insert_version and update_version_content.
struct ContentParams {
  ContentParams(const ImplementationItem& item, const BasicItem& basic)
      : legal(item.legal_limit.value_or(TimeLimit{})),
        promised_ind(item.promised_limit ? soci::i_ok : soci::i_null),
        promised_value(item.promised_limit ? item.promised_limit->value : 0),
        promised_unit(item.promised_limit ? std::string(EnumId(item.promised_limit->unit)) : ""),
        basic_code(basic.code),
        name(basic.name),
        kind(EnumId(basic.kind)),
        legal_basis(basic.legal_basis),
        handling_type(EnumId(item.handling_type)),
        legal_unit(EnumId(legal.unit)),
        lists(ListsText(item.lists)),
        modes(ModesText(item.cross_region_modes)),
        search_text(SearchText(item, basic)),
        body(EmitItemYaml(item)),
        online_depth(item.online_depth),
        visits(item.visits),
        department(item.department),
        region(item.region) {
    // Ancestors by level: each prefix the region's own prefix is long enough to have.
    const std::string prefix = RegionSubtreePrefix(item.region).value_or("");
    auto ancestor = [&](size_t digits) {
      return prefix.size() >= digits ? prefix.substr(0, digits) : std::string();
    };
    province = ancestor(2);
    city = ancestor(4);
    county = ancestor(6);
    town = ancestor(9);
  }

  template <typename Stmt>
  void Bind(Stmt& st) {
    st.exchange(soci::use(basic_code, "basic_code"));
    st.exchange(soci::use(name, "name"));
    st.exchange(soci::use(kind, "kind"));
    st.exchange(soci::use(legal_basis, "legal_basis"));
    st.exchange(soci::use(department, "department_code"));
    st.exchange(soci::use(region, "region_code"));
    st.exchange(soci::use(province, "region_province"));
    st.exchange(soci::use(city, "region_city"));
    st.exchange(soci::use(county, "region_county"));
    st.exchange(soci::use(town, "region_town"));
    st.exchange(soci::use(handling_type, "handling_type"));
    st.exchange(soci::use(legal.value, "legal_limit_value"));
    st.exchange(soci::use(legal_unit, "legal_limit_unit"));
    st.exchange(soci::use(promised_value, promised_ind, "promised_limit_value"));
    st.exchange(soci::use(promised_unit, promised_unit_ind, "promised_limit_unit"));
    st.exchange(soci::use(online_depth, "online_depth"));
    st.exchange(soci::use(visits, "visits"));
    st.exchange(soci::use(lists, "lists"));
    st.exchange(soci::use(modes, "modes"));
    st.exchange(soci::use(search_text, "search_text"));
    st.exchange(soci::use(body, "body"));
  }

  TimeLimit legal;
  soci::indicator promised_ind;
  soci::indicator promised_unit_ind = promised_ind;
  int promised_value;
  std::string promised_unit, basic_code, name, kind, legal_basis, handling_type, legal_unit, lists,
      modes, search_text, body;
  int online_depth, visits;
  std::string department, region, province, city, county, town;
};

// Runs a prepared write whose parameters `bind` adds; returns the rows it affected.
template <typename Bind>
long long Execute(soci::session& sql, const std::string& text, Bind bind) {
  soci::statement st(sql);
  st.alloc();
  st.prepare(text, soci::details::st_one_time_query);
  bind(st);
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace

Result<store::MigrationSet> CatalogMigrations() {
  return store::LoadMigrations("catalog", kCatalogSql, kCatalogSql_count);
}

Result<CatalogRepository> CatalogRepository::Create(store::Backend backend) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kCatalogSql, kCatalogSql_count));
  return CatalogRepository(backend, std::move(queries));
}

void CatalogRepository::Analyze(soci::session& sql) const {
  sql << Q("analyze_versions");
  sql << Q("analyze_version_lists");
}

std::string CatalogRepository::VersionId(std::string_view code, int version) {
  return fmt::format("{}@{}", code, version);
}

std::optional<std::string> CatalogRepository::ImportedRegionName(
    soci::session& sql, std::string_view canonical_code) const {
  const std::string code(canonical_code);
  std::string name;
  sql << Q("imported_region_name"), soci::use(code, "code"), soci::into(name);
  if (!sql.got_data()) return std::nullopt;
  return name;
}

KnownCodes CatalogRepository::LoadKnownCodes(soci::session& sql) const {
  KnownCodes known;
  known.imported_region = [this, &sql](std::string_view code) {
    return ImportedRegionName(sql, code);
  };
  auto load = [&](std::string_view query, std::set<std::string, std::less<>>& into) {
    soci::rowset<std::string> rows = (sql.prepare << Q(query));
    for (const auto& code : rows) into.insert(code);
  };
  load("department_codes", known.departments);
  load("window_codes", known.windows);
  load("basic_item_codes", known.basic_items);
  load("item_codes", known.implementation_items);
  std::string code, status;
  soci::statement st =
      (sql.prepare << Q("certificate_statuses"), soci::into(code), soci::into(status));
  st.execute();
  while (st.fetch()) {
    known.certificates[code] = StoredEnum<CertificateStatus>(status, "certificate status");
  }
  return known;
}

void CatalogRepository::UpsertRegion(soci::session& sql, const Region& r) const {
  sql << Q("upsert_region"), soci::use(r.code, "code"), soci::use(r.name, "name");
}

void CatalogRepository::UpsertDepartment(soci::session& sql, const Department& d) const {
  sql << Q("upsert_department"), soci::use(d.code, "code"), soci::use(d.name, "name"),
      soci::use(d.uscc, "uscc"), soci::use(d.region, "region");
}

void CatalogRepository::UpsertWindow(soci::session& sql, const Window& w) const {
  const std::string kind(EnumId(w.kind));
  sql << Q("upsert_window"), soci::use(w.code, "code"), soci::use(w.name, "name"),
      soci::use(w.region, "region"), soci::use(kind, "kind"), soci::use(w.department, "department"),
      soci::use(w.address, "address"), soci::use(w.hours, "hours");
}

void CatalogRepository::UpsertCertificate(soci::session& sql, const Certificate& c) const {
  const std::string status(EnumId(c.status));
  sql << Q("upsert_certificate"), soci::use(c.code, "code"), soci::use(c.name, "name"),
      soci::use(c.issuer, "issuer"), soci::use(c.basis, "basis"), soci::use(status, "status"),
      soci::use(c.cancelled_basis, "cancelled_basis"), soci::use(c.licence_type, "licence_type");
}

void CatalogRepository::UpsertBasicItem(soci::session& sql, const BasicItem& b) const {
  const std::string kind(EnumId(b.kind));
  sql << Q("upsert_basic_item"), soci::use(b.code, "code"), soci::use(b.name, "name"),
      soci::use(kind, "kind"), soci::use(b.legal_basis, "legal_basis");
}

void CatalogRepository::UpsertBundle(soci::session& sql, const Bundle& b) const {
  sql << Q("upsert_bundle"), soci::use(b.code, "code"), soci::use(b.name, "name"),
      soci::use(b.region, "region"), soci::use(b.process, "process");
  sql << Q("delete_bundle_matters"), soci::use(b.code, "code");
  for (size_t i = 0; i < b.matters.size(); ++i) {
    int seq = static_cast<int>(i);
    sql << Q("insert_bundle_matter"), soci::use(b.code, "code"), soci::use(seq, "seq"),
        soci::use(b.matters[i], "item");
  }
}

std::vector<Region> CatalogRepository::ListRegions(soci::session& sql) const {
  std::vector<Region> out;
  Region r;
  soci::statement st = (sql.prepare << Q("list_regions"), soci::into(r.code), soci::into(r.name));
  st.execute();
  while (st.fetch()) out.push_back(r);
  return out;
}

std::vector<Department> CatalogRepository::ListDepartments(soci::session& sql) const {
  std::vector<Department> out;
  Department d;
  soci::statement st = (sql.prepare << Q("list_departments"), soci::into(d.code),
                        soci::into(d.name), soci::into(d.uscc), soci::into(d.region));
  st.execute();
  while (st.fetch()) out.push_back(d);
  return out;
}

std::vector<Window> CatalogRepository::ListWindows(soci::session& sql) const {
  std::vector<Window> out;
  Window w;
  std::string kind;
  soci::statement st = (sql.prepare << Q("list_windows"), soci::into(w.code), soci::into(w.name),
                        soci::into(w.region), soci::into(kind), soci::into(w.department),
                        soci::into(w.address), soci::into(w.hours));
  st.execute();
  while (st.fetch()) {
    w.kind = StoredEnum<WindowKind>(kind, "window kind");
    out.push_back(w);
  }
  return out;
}

std::vector<Certificate> CatalogRepository::ListCertificates(soci::session& sql) const {
  std::vector<Certificate> out;
  Certificate c;
  std::string status;
  soci::statement st =
      (sql.prepare << Q("list_certificates"), soci::into(c.code), soci::into(c.name),
       soci::into(c.issuer), soci::into(c.basis), soci::into(status), soci::into(c.cancelled_basis),
       soci::into(c.licence_type));
  st.execute();
  while (st.fetch()) {
    c.status = StoredEnum<CertificateStatus>(status, "certificate status");
    out.push_back(c);
  }
  return out;
}

std::map<CertificateStatus, int> CatalogRepository::CountCertificates(soci::session& sql) const {
  std::map<CertificateStatus, int> out;
  std::string status;
  long long count = 0;
  soci::statement st =
      (sql.prepare << Q("count_certificates"), soci::into(status), soci::into(count));
  st.execute();
  while (st.fetch()) {
    out[StoredEnum<CertificateStatus>(status, "certificate status")] = static_cast<int>(count);
  }
  return out;
}

std::vector<BasicItem> CatalogRepository::ListBasicItems(soci::session& sql) const {
  std::vector<BasicItem> out;
  BasicItem b;
  std::string kind;
  soci::statement st = (sql.prepare << Q("list_basic_items"), soci::into(b.code),
                        soci::into(b.name), soci::into(kind), soci::into(b.legal_basis));
  st.execute();
  while (st.fetch()) {
    b.kind = StoredEnum<Kind>(kind, "kind");
    out.push_back(b);
  }
  return out;
}

std::vector<Bundle> CatalogRepository::ListBundles(soci::session& sql) const {
  std::vector<Bundle> out;
  {
    Bundle b;
    soci::statement st = (sql.prepare << Q("list_bundles"), soci::into(b.code), soci::into(b.name),
                          soci::into(b.region), soci::into(b.process));
    st.execute();
    while (st.fetch()) out.push_back(b);
  }
  std::string bundle, item;
  soci::statement st =
      (sql.prepare << Q("list_bundle_matters"), soci::into(bundle), soci::into(item));
  st.execute();
  // Both lists are ordered by bundle code, so one pass matches them.
  size_t i = 0;
  while (st.fetch()) {
    while (i < out.size() && out[i].code < bundle) ++i;
    if (i < out.size() && out[i].code == bundle) out[i].matters.push_back(item);
  }
  return out;
}

std::optional<BasicItem> CatalogRepository::FindBasicItem(soci::session& sql,
                                                          const std::string& code) const {
  BasicItem b;
  std::string kind;
  sql << Q("get_basic_item"), soci::use(code, "code"), soci::into(b.code), soci::into(b.name),
      soci::into(kind), soci::into(b.legal_basis);
  if (!sql.got_data()) return std::nullopt;
  b.kind = StoredEnum<Kind>(kind, "kind");
  return b;
}

std::optional<CatalogRepository::ItemRow> CatalogRepository::FindItem(
    soci::session& sql, const std::string& code) const {
  ItemRow row;
  long long revision = 0;
  sql << Q("get_item"), soci::use(code, "code"), soci::into(revision),
      soci::into(row.latest_version);
  if (!sql.got_data()) return std::nullopt;
  row.revision = revision;
  return row;
}

void CatalogRepository::InsertItem(soci::session& sql, const std::string& code,
                                   const ItemRow& row) const {
  long long revision = row.revision;
  sql << Q("insert_item"), soci::use(code, "code"), soci::use(revision, "revision"),
      soci::use(row.latest_version, "version");
}

bool CatalogRepository::AdvanceItem(soci::session& sql, const std::string& code, int64_t revision,
                                    int latest_version) const {
  std::string c = code;
  long long seen = revision;
  int version = latest_version;
  return Execute(sql, Q("advance_item"), [&](soci::statement& st) {
           st.exchange(soci::use(version, "version"));
           st.exchange(soci::use(c, "code"));
           st.exchange(soci::use(seen, "revision"));
         }) == 1;
}

void CatalogRepository::WriteListsAndModes(soci::session& sql, const std::string& version_id,
                                           const ImplementationItem& item) const {
  sql << Q("delete_version_lists"), soci::use(version_id, "id");
  sql << Q("delete_version_modes"), soci::use(version_id, "id");
  for (const auto& spec : EnumSpecs<ServiceList>()) {
    const std::string list(spec.id);
    for (Level level : item.lists.Of(spec.value)) {
      const std::string level_id(EnumId(level));
      sql << Q("insert_version_list"), soci::use(version_id, "id"), soci::use(list, "list"),
          soci::use(level_id, "level");
    }
  }
  for (CrossRegionMode mode : item.cross_region_modes) {
    const std::string mode_id(EnumId(mode));
    sql << Q("insert_version_mode"), soci::use(version_id, "id"), soci::use(mode_id, "mode");
  }
}

void CatalogRepository::InsertVersion(soci::session& sql, int version,
                                      const ImplementationItem& item, const BasicItem& basic,
                                      const std::string& actor, const std::string& at) const {
  ContentParams content(item, basic);
  std::string id = VersionId(item.code, version);
  std::string code = item.code;
  std::string actor1 = actor, actor2 = actor, at1 = at, at2 = at;
  Execute(sql, Q("insert_version"), [&](soci::statement& st) {
    st.exchange(soci::use(id, "id"));
    st.exchange(soci::use(code, "item_code"));
    st.exchange(soci::use(version, "version"));
    content.Bind(st);
    st.exchange(soci::use(actor1, "actor"));
    st.exchange(soci::use(at1, "at"));
    st.exchange(soci::use(actor2, "actor2"));
    st.exchange(soci::use(at2, "at2"));
  });
  WriteListsAndModes(sql, id, item);
  WriteSearchTerms(sql, id, item, basic);
}

void CatalogRepository::WriteSearchTerms(soci::session& sql, const std::string& version_id,
                                         const ImplementationItem& item,
                                         const BasicItem& basic) const {
  sql << Q("delete_search_terms"), soci::use(version_id, "id");
  const auto terms = IndexTerms(item, basic);
  if (terms.empty()) return;
  std::vector<std::string> names, ids(terms.size(), version_id);
  std::vector<int> weights;
  names.reserve(terms.size());
  weights.reserve(terms.size());
  for (const auto& [term, weight] : terms) {
    names.push_back(term);
    weights.push_back(weight);
  }
  // One bulk statement: a version has a few dozen terms, a bulk import tens of thousands.
  sql << Q("insert_search_term"), soci::use(names, "term"), soci::use(ids, "id"),
      soci::use(weights, "weight");
}

bool CatalogRepository::ReplaceContent(soci::session& sql, const std::string& version_id,
                                       const ImplementationItem& item, const BasicItem& basic,
                                       const std::string& actor, const std::string& at) const {
  std::string id = version_id;
  sql << Q("revert_to_draft"), soci::use(id, "id");
  ContentParams content(item, basic);
  std::string actor1 = actor, at1 = at;
  const long long changed = Execute(sql, Q("update_version_content"), [&](soci::statement& st) {
    content.Bind(st);
    st.exchange(soci::use(actor1, "actor"));
    st.exchange(soci::use(at1, "at"));
    st.exchange(soci::use(id, "id"));
  });
  if (changed != 1) return false;
  WriteListsAndModes(sql, id, item);
  WriteSearchTerms(sql, id, item, basic);
  return true;
}

bool CatalogRepository::Approve(soci::session& sql, const std::string& version_id,
                                const std::string& actor, const std::string& at) const {
  std::string id = version_id, actor1 = actor, actor2 = actor, at1 = at, at2 = at;
  return Execute(sql, Q("approve_version"), [&](soci::statement& st) {
           st.exchange(soci::use(actor1, "actor"));
           st.exchange(soci::use(at1, "at"));
           st.exchange(soci::use(actor2, "actor2"));
           st.exchange(soci::use(at2, "at2"));
           st.exchange(soci::use(id, "id"));
         }) == 1;
}

bool CatalogRepository::Publish(soci::session& sql, const std::string& version_id,
                                Date effective_from, const std::string& actor,
                                const std::string& at) const {
  std::string id = version_id, actor1 = actor, actor2 = actor, at1 = at, at2 = at;
  std::string date = effective_from.ToString();
  return Execute(sql, Q("publish_version"), [&](soci::statement& st) {
           st.exchange(soci::use(date, "effective_from"));
           st.exchange(soci::use(actor1, "actor"));
           st.exchange(soci::use(at1, "at"));
           st.exchange(soci::use(actor2, "actor2"));
           st.exchange(soci::use(at2, "at2"));
           st.exchange(soci::use(id, "id"));
         }) == 1;
}

std::optional<Date> CatalogRepository::LatestEffectiveFrom(soci::session& sql,
                                                           const std::string& code) const {
  std::string date;
  soci::indicator ind = soci::i_null;
  sql << Q("latest_effective_from"), soci::use(code, "code"), soci::into(date, ind);
  if (!sql.got_data() || ind == soci::i_null) return std::nullopt;
  auto parsed = Date::Parse(date, "effective_from");
  if (!parsed.ok()) throw std::runtime_error("catalog: stored " + parsed.error().ToString());
  return *parsed;
}

Result<std::optional<Matter>> CatalogRepository::GetOne(
    soci::session& sql, const std::string& where,
    const std::vector<std::pair<std::string, std::string>>& string_params,
    const std::vector<std::pair<std::string, int>>& int_params) const {
  Params params;
  for (const auto& [name, value] : string_params) params.Add(name, value);
  for (const auto& [name, value] : int_params) params.Add(name, value);
  const std::string text =
      fmt::format("SELECT {}, v.body\n{}\n{}", Q("version_columns"), Q("version_from"), Q(where));
  std::optional<Matter> out;
  Status parsed = Ok();
  ForEachVersionRow(sql, text, params, true, [&](const VersionRow& row) {
    if (out) return;
    auto item = ParseItemYaml(row.body);
    if (!item.ok()) {
      parsed = std::move(item).error();
      return;
    }
    Matter m;
    m.item = std::move(item).value();
    m.basic = {row.basic_code, row.name, StoredEnum<Kind>(row.kind, "kind"), row.legal_basis};
    m.department = {row.department_code, row.department_name};
    m.version = row.Info();
    out = std::move(m);
  });
  TB_RETURN_IF_ERROR(parsed);
  return out;
}

Result<std::optional<Matter>> CatalogRepository::GetVersion(soci::session& sql,
                                                            const std::string& code,
                                                            int version) const {
  return GetOne(sql, "version_where_number", {{"code", code}}, {{"version", version}});
}

Result<std::optional<Matter>> CatalogRepository::GetVersionById(soci::session& sql,
                                                                const std::string& id) const {
  return GetOne(sql, "version_where_id", {{"id", id}}, {});
}

Result<std::optional<Matter>> CatalogRepository::GetInForce(soci::session& sql,
                                                            const std::string& code,
                                                            Date as_of) const {
  return GetOne(sql, "version_where_in_force", {{"code", code}, {"as_of", as_of.ToString()}}, {});
}

std::vector<VersionInfo> CatalogRepository::ListVersions(soci::session& sql,
                                                         const std::string& code) const {
  Params params;
  params.Add("code", code);
  const std::string text = fmt::format("SELECT {}\n{}\n{}", Q("version_columns"), Q("version_from"),
                                       Q("version_where_item"));
  std::vector<VersionInfo> out;
  ForEachVersionRow(sql, text, params, false,
                    [&](const VersionRow& row) { out.push_back(row.Info()); });
  return out;
}

namespace {

// The matters-in-force statement for `q`: only the filters in use are joined in, so the planner
// can pick the index of the most selective one.
template <typename Get>
void AppendFilters(std::string& text, const MatterQuery& q, Get get, Params& params) {
  auto filter = [&](std::string_view fragment) {
    text += '\n';
    text += get(fragment);
  };
  if (!q.region_prefix.empty()) {
    switch (q.region_prefix.size()) {
      case 2:
        filter("matters_region_province");
        break;
      case 4:
        filter("matters_region_city");
        break;
      case 6:
        filter("matters_region_county");
        break;
      case 9:
        filter("matters_region_town");
        break;
      default:
        filter("matters_region_village");
        break;
    }
    params.Add("region", q.region_prefix);
  }
  if (!q.department.empty()) {
    filter("matters_department");
    params.Add("department", q.department);
  }
  if (!q.kind.empty()) {
    filter("matters_kind");
    params.Add("kind", q.kind);
  }
  if (!q.list.empty() && !q.level.empty()) {
    filter("matters_list_level");
    params.Add("list", q.list);
    params.Add("level", q.level);
  } else if (!q.list.empty()) {
    filter("matters_list");
    params.Add("list", q.list);
  } else if (!q.level.empty()) {
    filter("matters_level");
    params.Add("level", q.level);
  }
  if (!q.mode.empty()) {
    filter("matters_mode");
    params.Add("mode", q.mode);
  }
}

template <typename Get>
std::string MattersStatement(const MatterQuery& q, Get get, Params& params) {
  std::string text = fmt::format("SELECT {}\n{}\n{}", get("version_columns"), get("version_from"),
                                 get("matters_in_force"));
  params.Add("as_of", q.as_of);
  params.Add("as_of2", q.as_of);
  params.Add("after", q.after);
  AppendFilters(text, q, get, params);
  if (!q.keyword_pattern.empty()) {
    text += '\n';
    text += get("matters_keyword");
    params.Add("keyword", q.keyword_pattern);
  }
  text += '\n';
  text += get("matters_order");
  params.Add("limit", q.limit);
  return text;
}

// The search statement: the versions in force within q's filters holding any of `terms`,
// ranked, after `after`, at most q.limit.
template <typename Get>
std::string SearchStatement(const std::vector<std::string>& terms, const MatterQuery& q,
                            const std::optional<SearchHit>& after, Get get, Params& params) {
  std::string names;
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string name = fmt::format("t{}", i);
    names += fmt::format("{}:{}", i == 0 ? "" : ", ", name);
    params.Add(name, terms[i]);
  }
  std::string select = get("search_select");
  const size_t at = select.find(":terms");
  if (at != std::string::npos) select.replace(at, 6, names);
  std::string text = fmt::format("{}\n{}", select, get("matters_in_force"));
  params.Add("as_of", q.as_of);
  params.Add("as_of2", q.as_of);
  params.Add("after", std::string());
  AppendFilters(text, q, get, params);
  if (after) {
    text += '\n';
    text += get("search_after");
    params.Add("score", after->score);
    params.Add("score2", after->score);
    params.Add("name", after->name);
    params.Add("name2", after->name);
    params.Add("code", after->code);
  }
  text += '\n';
  text += get("search_order");
  params.Add("limit", q.limit);
  return text;
}

}  // namespace

std::vector<MatterSummary> CatalogRepository::ListMatters(soci::session& sql,
                                                          const MatterQuery& q) const {
  Params params;
  const std::string text = MattersStatement(
      q, [this](std::string_view name) -> const std::string& { return Q(name); }, params);
  std::vector<MatterSummary> out;
  ForEachVersionRow(sql, text, params, false,
                    [&](const VersionRow& row) { out.push_back(row.Summary()); });
  return out;
}

Result<std::vector<std::string>> CatalogRepository::ExplainMatters(store::Database& db,
                                                                   const MatterQuery& q) const {
  Params params;
  const std::string text = MattersStatement(
      q, [this](std::string_view name) -> const std::string& { return Q(name); }, params);
  return store::ExplainPlan(db, text, [&](soci::statement& st) { params.BindTo(st); });
}

std::vector<SearchHit> CatalogRepository::SearchMatters(
    soci::session& sql, const std::vector<std::string>& terms, const MatterQuery& q,
    const std::optional<SearchHit>& after) const {
  std::vector<SearchHit> out;
  if (terms.empty()) return out;
  Params params;
  const std::string text = SearchStatement(
      terms, q, after, [this](std::string_view name) -> const std::string& { return Q(name); },
      params);
  SearchHit hit;
  long long score = 0;
  soci::statement st(sql);
  st.alloc();
  st.prepare(text, soci::details::st_one_time_query);
  params.BindTo(st);
  st.exchange(soci::into(hit.version_id));
  st.exchange(soci::into(hit.code));
  st.exchange(soci::into(hit.name));
  st.exchange(soci::into(score));
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) {
    hit.score = static_cast<int>(score);
    out.push_back(hit);
  }
  return out;
}

Result<std::vector<std::string>> CatalogRepository::ExplainSearch(
    store::Database& db, const std::vector<std::string>& terms, const MatterQuery& q,
    const std::optional<SearchHit>& after) const {
  Params params;
  const std::string text = SearchStatement(
      terms, q, after, [this](std::string_view name) -> const std::string& { return Q(name); },
      params);
  return store::ExplainPlan(db, text, [&](soci::statement& st) { params.BindTo(st); });
}

std::vector<MatterSummary> CatalogRepository::Summaries(
    soci::session& sql, const std::vector<std::string>& version_ids) const {
  std::vector<MatterSummary> out;
  if (version_ids.empty()) return out;
  Params params;
  std::string text = fmt::format("SELECT {}\n{}\n{} (", Q("version_columns"), Q("version_from"),
                                 Q("version_where_ids"));
  for (size_t i = 0; i < version_ids.size(); ++i) {
    const std::string name = fmt::format("i{}", i);
    text += fmt::format("{}:{}", i == 0 ? "" : ", ", name);
    params.Add(name, version_ids[i]);
  }
  text += ")";
  std::map<std::string, MatterSummary> by_id;
  ForEachVersionRow(sql, text, params, false,
                    [&](const VersionRow& row) { by_id.emplace(row.id, row.Summary()); });
  for (const auto& id : version_ids) {
    if (auto it = by_id.find(id); it != by_id.end()) out.push_back(it->second);
  }
  return out;
}

Result<int> CatalogRepository::IndexMissingVersions(soci::session& sql) const {
  struct Missing {
    std::string id;
    BasicItem basic;
    std::string body;
  };
  std::vector<Missing> missing;
  {
    Missing m;
    std::string kind;
    soci::statement st = (sql.prepare << Q("versions_without_terms"), soci::into(m.id),
                          soci::into(m.basic.code), soci::into(m.basic.name), soci::into(kind),
                          soci::into(m.basic.legal_basis), soci::into(m.body));
    st.execute();
    while (st.fetch()) {
      m.basic.kind = StoredEnum<Kind>(kind, "kind");
      missing.push_back(m);
    }
  }
  for (const Missing& m : missing) {
    TB_ASSIGN_OR_RETURN(ImplementationItem item, ParseItemYaml(m.body));
    WriteSearchTerms(sql, m.id, item, m.basic);
  }
  return static_cast<int>(missing.size());
}

std::vector<std::string> CatalogRepository::ExportBodies(soci::session& sql,
                                                         std::optional<Date> in_force_at) const {
  std::vector<std::string> out;
  std::string body;
  if (in_force_at) {
    const std::string date = in_force_at->ToString();
    soci::statement st = (sql.prepare << Q("export_in_force_bodies"), soci::use(date, "as_of"),
                          soci::use(date, "as_of2"), soci::into(body));
    st.execute();
    while (st.fetch()) out.push_back(body);
  } else {
    soci::statement st = (sql.prepare << Q("export_latest_bodies"), soci::into(body));
    st.execute();
    while (st.fetch()) out.push_back(body);
  }
  return out;
}

}  // namespace tongban::catalog
