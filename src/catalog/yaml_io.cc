#include "catalog/yaml_io.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <limits>

#include "catalog/text.h"

namespace tongban::catalog {
namespace {

enum class Need { kRequired, kOptional };

// What the text is: YAML, whose plain scalars are read as whatever the field needs, or JSON
// (read through the YAML parser), whose types are kept: "20" is a string, 20 a number.
enum class Syntax { kYaml, kJson };

// The type a field needs of its scalar.
enum class Want { kString, kNumber, kBool };

// Shared state of one read: where errors go and how much of the budget is left.
class Context {
 public:
  Context(FieldErrors& errors, const ParseLimits& limits, Syntax syntax = Syntax::kYaml)
      : errors_(errors), limits_(limits), syntax_(syntax) {}

  void Add(std::string path, std::string message) {
    errors_.Add(std::move(path), std::move(message));
  }
  // Counts one node; false (once reported) when the document is over its budget.
  bool Visit() {
    if (++nodes_ <= limits_.max_nodes) return true;
    if (!exhausted_) {
      exhausted_ = true;
      Add("", fmt::format("the document has more than {} nodes; split it", limits_.max_nodes));
    }
    return false;
  }
  bool exhausted() const { return exhausted_; }
  const ParseLimits& limits() const { return limits_; }
  Syntax syntax() const { return syntax_; }

 private:
  FieldErrors& errors_;
  const ParseLimits& limits_;
  Syntax syntax_;
  size_t nodes_ = 0;
  bool exhausted_ = false;
};

std::string_view TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "null";
  }
}

// Reads the keys of one YAML mapping; records problems instead of throwing. Finish() reports
// the keys that were present but never asked for.
class MapReader {
 public:
  MapReader(Context& ctx, const YAML::Node& node, std::string path)
      : ctx_(ctx), path_(std::move(path)) {
    if (!ctx_.Visit()) return;
    if (!node.IsMap()) {
      ctx_.Add(path_, fmt::format("must be a mapping, not {}", TypeName(node)));
      return;
    }
    valid_ = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!ctx_.Visit()) {
        valid_ = false;
        return;
      }
      if (!it->first.IsScalar()) {
        ctx_.Add(path_, "a key must be a plain name");
        continue;
      }
      const std::string& key = it->first.Scalar();
      bool duplicate = false;
      for (const Entry& e : entries_) duplicate = duplicate || e.key == key;
      if (duplicate) {
        ctx_.Add(JoinPath(path_, Excerpt(key)), "the key appears twice");
        continue;
      }
      entries_.push_back({key, it->second, false});
    }
  }

  bool valid() const { return valid_; }
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return JoinPath(path_, key); }

  // The value of `key`, or nullptr when absent or null (`key: ~` is the same as no key).
  const YAML::Node* Find(std::string_view key, Need need) {
    for (Entry& e : entries_) {
      if (e.key != key) continue;
      e.used = true;
      if (e.value.IsNull()) break;
      return &e.value;
    }
    if (need == Need::kRequired && valid_) ctx_.Add(PathOf(key), "is required");
    return nullptr;
  }

  std::string Text(std::string_view key, Need need) {
    const YAML::Node* node = Find(key, need);
    if (node == nullptr) return {};
    return ScalarText(*node, PathOf(key)).value_or("");
  }

  std::optional<int64_t> Integer(std::string_view key, Need need) {
    const YAML::Node* node = Find(key, need);
    if (node == nullptr) return std::nullopt;
    return IntegerOf(*node, PathOf(key));
  }

  std::optional<int> Int(std::string_view key, Need need) {
    auto v = Integer(key, need);
    if (!v) return std::nullopt;
    if (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
      ctx_.Add(PathOf(key), "is out of range");
      return std::nullopt;
    }
    return static_cast<int>(*v);
  }

  std::optional<bool> Bool(std::string_view key, Need need) {
    const YAML::Node* node = Find(key, need);
    if (node == nullptr) return std::nullopt;
    auto text = ScalarText(*node, PathOf(key), Want::kBool);
    if (!text) return std::nullopt;
    if (*text == "true" || *text == "True" || *text == "TRUE") return true;
    if (*text == "false" || *text == "False" || *text == "FALSE") return false;
    ctx_.Add(PathOf(key), fmt::format("must be true or false, not '{}'", Excerpt(*text)));
    return std::nullopt;
  }

  template <typename E>
  std::optional<E> Enum(std::string_view key, Need need) {
    const YAML::Node* node = Find(key, need);
    if (node == nullptr) return std::nullopt;
    return EnumOf<E>(*node, PathOf(key));
  }

  // A mapping of names to texts, e.g. licence_fields: {sex: gender}.
  std::map<std::string, std::string> TextMap(std::string_view key) {
    std::map<std::string, std::string> out;
    const YAML::Node* node = Find(key, Need::kOptional);
    if (node == nullptr) return out;
    if (!node->IsMap()) {
      ctx_.Add(PathOf(key), fmt::format("must be a mapping, not {}", TypeName(*node)));
      return out;
    }
    for (auto it = node->begin(); it != node->end() && ctx_.Visit(); ++it) {
      auto name = ScalarText(it->first, PathOf(key));
      if (!name) continue;
      if (auto value = ScalarText(it->second, JoinPath(PathOf(key), Excerpt(*name)))) {
        out[*name] = *value;
      }
    }
    return out;
  }

  std::vector<std::string> Texts(std::string_view key) {
    std::vector<std::string> out;
    const YAML::Node* node = Sequence(key, Need::kOptional);
    if (node == nullptr) return out;
    for (size_t i = 0; i < node->size() && ctx_.Visit(); ++i) {
      if (auto t = ScalarText((*node)[i], JoinPath(PathOf(key), i))) out.push_back(*t);
    }
    return out;
  }

  template <typename E>
  std::vector<E> Enums(std::string_view key) {
    std::vector<E> out;
    const YAML::Node* node = Sequence(key, Need::kOptional);
    if (node == nullptr) return out;
    for (size_t i = 0; i < node->size() && ctx_.Visit(); ++i) {
      if (auto v = EnumOf<E>((*node)[i], JoinPath(PathOf(key), i))) out.push_back(*v);
    }
    return out;
  }

  // A list value; a non-list is reported and gives nullptr.
  const YAML::Node* Sequence(std::string_view key, Need need) {
    const YAML::Node* node = Find(key, need);
    if (node == nullptr) return nullptr;
    if (!node->IsSequence()) {
      ctx_.Add(PathOf(key), fmt::format("must be a list, not {}", TypeName(*node)));
      return nullptr;
    }
    return node;
  }

  void Finish() {
    for (const Entry& e : entries_) {
      if (!e.used) ctx_.Add(JoinPath(path_, Excerpt(e.key)), "is not a known field");
    }
  }

  std::optional<std::string> ScalarText(const YAML::Node& node, const std::string& path,
                                        Want want = Want::kString) {
    if (!ctx_.Visit()) return std::nullopt;
    if (!node.IsScalar()) {
      ctx_.Add(path, fmt::format("must be a scalar, not {}", TypeName(node)));
      return std::nullopt;
    }
    const std::string& s = node.Scalar();
    if (ctx_.syntax() == Syntax::kJson) {
      // The YAML parser tags a quoted scalar (a JSON string) "!", a plain one (a JSON number,
      // true or false) "?".
      const bool quoted = node.Tag() == "!";
      if (want == Want::kString && !quoted) {
        ctx_.Add(path, fmt::format("must be a string, not {}",
                                   s == "true" || s == "false" ? "true or false" : "a number"));
        return std::nullopt;
      }
      if (want != Want::kString && quoted) {
        ctx_.Add(path, fmt::format("must be {}, not a string",
                                   want == Want::kNumber ? "a number" : "true or false"));
        return std::nullopt;
      }
    }
    if (s.size() > ctx_.limits().max_scalar_bytes) {
      ctx_.Add(path, fmt::format("is longer than {} bytes", ctx_.limits().max_scalar_bytes));
      return std::nullopt;
    }
    return s;
  }

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    bool used = false;
  };

  std::optional<int64_t> IntegerOf(const YAML::Node& node, const std::string& path) {
    auto text = ScalarText(node, path, Want::kNumber);
    if (!text) return std::nullopt;
    int64_t v = 0;
    const char* begin = text->data();
    const char* end = begin + text->size();
    if (begin != end && *begin == '+') ++begin;
    auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec != std::errc() || ptr != end || begin == end) {
      ctx_.Add(path, fmt::format("must be a whole number, not '{}'", Excerpt(*text)));
      return std::nullopt;
    }
    return v;
  }

  template <typename E>
  std::optional<E> EnumOf(const YAML::Node& node, const std::string& path) {
    auto text = ScalarText(node, path);
    if (!text) return std::nullopt;
    auto v = ParseEnum<E>(*text);
    if (!v) {
      ctx_.Add(path, fmt::format("must be one of {}, not '{}'", EnumIds<E>(), Excerpt(*text)));
    }
    return v;
  }

  Context& ctx_;
  std::string path_;
  std::vector<Entry> entries_;
  bool valid_ = false;
};

// Calls `read(node, path)` for each element of the list under `key`.
template <typename T, typename Read>
std::vector<T> ReadList(Context& ctx, MapReader& r, std::string_view key, Need need, Read read) {
  std::vector<T> out;
  const YAML::Node* node = r.Sequence(key, need);
  if (node == nullptr) return out;
  for (size_t i = 0; i < node->size(); ++i) {
    if (ctx.exhausted()) break;
    out.push_back(read((*node)[i], JoinPath(r.PathOf(key), i)));
  }
  return out;
}

std::optional<TimeLimit> ReadLimit(Context& ctx, MapReader& parent, std::string_view key,
                                   Need need) {
  const YAML::Node* node = parent.Find(key, need);
  if (node == nullptr) return std::nullopt;
  MapReader r(ctx, *node, parent.PathOf(key));
  if (!r.valid()) return std::nullopt;
  TimeLimit limit;
  auto value = r.Int("value", Need::kRequired);
  auto unit = r.Enum<LimitUnit>("unit", Need::kRequired);
  r.Finish();
  if (!value || !unit) return std::nullopt;
  limit.value = *value;
  limit.unit = *unit;
  return limit;
}

Region ReadRegion(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  Region out;
  if (!r.valid()) return out;
  out.code = r.Text("code", Need::kRequired);
  out.name = r.Text("name", Need::kOptional);
  r.Finish();
  return out;
}

Department ReadDepartment(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  Department out;
  if (!r.valid()) return out;
  out.code = r.Text("code", Need::kRequired);
  out.name = r.Text("name", Need::kRequired);
  out.uscc = r.Text("uscc", Need::kRequired);
  out.region = r.Text("region", Need::kRequired);
  r.Finish();
  return out;
}

Window ReadWindow(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  Window out;
  if (!r.valid()) return out;
  out.code = r.Text("code", Need::kRequired);
  out.name = r.Text("name", Need::kRequired);
  out.region = r.Text("region", Need::kRequired);
  if (auto k = r.Enum<WindowKind>("kind", Need::kRequired)) out.kind = *k;
  out.department = r.Text("department", Need::kOptional);
  out.address = r.Text("address", Need::kOptional);
  out.hours = r.Text("hours", Need::kOptional);
  r.Finish();
  return out;
}

Certificate ReadCertificate(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  Certificate out;
  if (!r.valid()) return out;
  out.code = r.Text("code", Need::kRequired);
  out.name = r.Text("name", Need::kRequired);
  out.issuer = r.Text("issuer", Need::kOptional);
  out.basis = r.Text("basis", Need::kRequired);
  if (auto s = r.Enum<CertificateStatus>("status", Need::kRequired)) out.status = *s;
  out.cancelled_basis = r.Text("cancelled_basis", Need::kOptional);
  out.licence_type = r.Text("licence_type", Need::kOptional);
  r.Finish();
  return out;
}

BasicItem ReadBasicItem(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  BasicItem out;
  if (!r.valid()) return out;
  out.code = r.Text("code", Need::kRequired);
  out.name = r.Text("name", Need::kRequired);
  if (auto k = r.Enum<Kind>("kind", Need::kRequired)) out.kind = *k;
  out.legal_basis = r.Text("legal_basis", Need::kRequired);
  r.Finish();
  return out;
}

Fee ReadFee(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  Fee out;
  if (!r.valid()) return out;
  out.name = r.Text("name", Need::kRequired);
  if (auto a = r.Integer("amount_fen", Need::kRequired)) out.amount_fen = *a;
  out.basis = r.Text("basis", Need::kOptional);
  r.Finish();
  return out;
}

FormField ReadFormField(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  FormField out;
  if (!r.valid()) return out;
  out.name = r.Text("name", Need::kRequired);
  out.label = r.Text("label", Need::kRequired);
  if (auto t = r.Enum<FieldType>("type", Need::kRequired)) out.type = *t;
  out.required = r.Bool("required", Need::kOptional).value_or(false);
  out.options = r.Texts("options");
  out.prefill = r.Text("prefill", Need::kOptional);
  out.validation = r.Text("validation", Need::kOptional);
  out.validation_message = r.Text("validation_message", Need::kOptional);
  r.Finish();
  return out;
}

Material ReadMaterial(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  Material out;
  if (!r.valid()) return out;
  out.name = r.Text("name", Need::kRequired);
  if (auto q = r.Enum<Requirement>("required", Need::kRequired)) out.required = *q;
  out.condition = r.Text("condition", Need::kOptional);
  out.core = r.Bool("core", Need::kOptional).value_or(false);
  if (auto s = r.Enum<MaterialSource>("source", Need::kRequired)) out.source = *s;
  out.licence_type = r.Text("licence_type", Need::kOptional);
  out.certificate = r.Text("certificate", Need::kOptional);
  out.reuse_days = r.Int("reuse_days", Need::kOptional);
  out.request_days = r.Int("request_days", Need::kOptional);
  r.Finish();
  return out;
}

Scenario ReadScenario(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  Scenario out;
  if (!r.valid()) return out;
  out.code = r.Text("code", Need::kRequired);
  out.name = r.Text("name", Need::kRequired);
  if (auto k = r.Enum<ScenarioKind>("kind", Need::kRequired)) out.kind = *k;
  out.process = r.Text("process", Need::kRequired);
  out.form = ReadList<FormField>(
      ctx, r, "form", Need::kOptional,
      [&](const YAML::Node& n, const std::string& p) { return ReadFormField(ctx, n, p); });
  out.materials = ReadList<Material>(
      ctx, r, "materials", Need::kOptional,
      [&](const YAML::Node& n, const std::string& p) { return ReadMaterial(ctx, n, p); });
  out.review_departments = r.Texts("review_departments");
  if (std::map<std::string, std::string> ad = r.TextMap("auto_decision"); !ad.empty()) {
    out.auto_decision = AutoDecision{.rule = ad["rule"]};
    for (const auto& [key, value] : ad) {
      if (key != "rule") ctx.Add(JoinPath(JoinPath(path, "auto_decision"), key), "is unknown");
    }
  }
  r.Finish();
  return out;
}

GuideOption ReadGuideOption(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  GuideOption out;
  if (!r.valid()) return out;
  out.value = r.Text("value", Need::kRequired);
  out.label = r.Text("label", Need::kRequired);
  out.next = r.Text("next", Need::kOptional);
  out.scenario = r.Text("scenario", Need::kOptional);
  r.Finish();
  return out;
}

GuideQuestion ReadGuideQuestion(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  GuideQuestion out;
  if (!r.valid()) return out;
  out.id = r.Text("id", Need::kRequired);
  out.text = r.Text("text", Need::kRequired);
  out.options = ReadList<GuideOption>(
      ctx, r, "options", Need::kRequired,
      [&](const YAML::Node& n, const std::string& p) { return ReadGuideOption(ctx, n, p); });
  r.Finish();
  return out;
}

std::optional<Guide> ReadGuide(Context& ctx, MapReader& parent) {
  const YAML::Node* node = parent.Find("guide", Need::kOptional);
  if (node == nullptr) return std::nullopt;
  MapReader r(ctx, *node, parent.PathOf("guide"));
  Guide out;
  if (!r.valid()) return out;
  out.questions = ReadList<GuideQuestion>(
      ctx, r, "questions", Need::kRequired,
      [&](const YAML::Node& n, const std::string& p) { return ReadGuideQuestion(ctx, n, p); });
  out.decision_table = r.Text("decision_table", Need::kOptional);
  r.Finish();
  return out;
}

ServiceLists ReadLists(Context& ctx, MapReader& parent) {
  ServiceLists out;
  const YAML::Node* node = parent.Find("lists", Need::kOptional);
  if (node == nullptr) return out;
  MapReader r(ctx, *node, parent.PathOf("lists"));
  if (!r.valid()) return out;
  for (const auto& spec : EnumSpecs<ServiceList>()) out.Of(spec.value) = r.Enums<Level>(spec.id);
  r.Finish();
  return out;
}

ImplementationItem ReadItem(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  ImplementationItem out;
  if (!r.valid()) return out;
  out.code = r.Text("code", Need::kRequired);
  out.basic_item = r.Text("basic_item", Need::kRequired);
  out.department = r.Text("department", Need::kRequired);
  out.region = r.Text("region", Need::kRequired);
  if (auto h = r.Enum<HandlingType>("handling_type", Need::kRequired)) out.handling_type = *h;
  out.legal_limit = ReadLimit(ctx, r, "legal_limit", Need::kRequired);
  out.promised_limit = ReadLimit(ctx, r, "promised_limit", Need::kOptional);
  out.fees =
      ReadList<Fee>(ctx, r, "fees", Need::kOptional,
                    [&](const YAML::Node& n, const std::string& p) { return ReadFee(ctx, n, p); });
  out.place = r.Text("place", Need::kOptional);
  out.hours = r.Text("hours", Need::kOptional);
  out.phone = r.Text("phone", Need::kOptional);
  out.windows = r.Texts("windows");
  out.visits = r.Int("visits", Need::kRequired).value_or(0);
  out.online_depth = r.Int("online_depth", Need::kRequired).value_or(0);
  out.lists = ReadLists(ctx, r);
  out.cross_region_modes = r.Enums<CrossRegionMode>("cross_region_modes");
  out.jurisdiction = r.Text("jurisdiction", Need::kRequired);
  out.result_licence_type = r.Text("result_licence_type", Need::kOptional);
  out.licence_fields = r.TextMap("licence_fields");
  out.keywords = r.Texts("keywords");
  out.aliases = r.Texts("aliases");
  out.scenarios = ReadList<Scenario>(
      ctx, r, "scenarios", Need::kRequired,
      [&](const YAML::Node& n, const std::string& p) { return ReadScenario(ctx, n, p); });
  out.guide = ReadGuide(ctx, r);
  out.verification_within_days = r.Int("verification_within_days", Need::kOptional);
  r.Finish();
  return out;
}

Bundle ReadBundle(Context& ctx, const YAML::Node& node, const std::string& path) {
  MapReader r(ctx, node, path);
  Bundle out;
  if (!r.valid()) return out;
  out.code = r.Text("code", Need::kRequired);
  out.name = r.Text("name", Need::kRequired);
  out.region = r.Text("region", Need::kRequired);
  out.matters = r.Texts("matters");
  out.process = r.Text("process", Need::kRequired);
  r.Finish();
  return out;
}

// Loads the text as one YAML document; a syntax error is reported with its line and column.
std::optional<YAML::Node> LoadDocument(std::string_view text, Context& ctx) {
  if (text.size() > ctx.limits().max_bytes) {
    ctx.Add("", fmt::format("the file is larger than {} bytes", ctx.limits().max_bytes));
    return std::nullopt;
  }
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    ctx.Add("", fmt::format("YAML syntax error at line {}, column {}: {}", e.mark.line + 1,
                            e.mark.column + 1, Excerpt(e.msg, 200)));
    return std::nullopt;
  }
}

// --- writing ---

bool LooksTyped(std::string_view s) {
  if (s.empty()) return true;
  static constexpr std::string_view kWords[] = {
      "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", ".nan"};
  const std::string lower = AsciiLower(s);
  for (std::string_view w : kWords) {
    if (lower == w) return true;
  }
  const char c = s.front();
  if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
    return s.find_first_not_of("0123456789abcdefABCDEFxXoO._+-:") == std::string_view::npos;
  }
  return false;
}

YAML::Emitter& Text(YAML::Emitter& out, const std::string& s) {
  if (LooksTyped(s)) return out << YAML::DoubleQuoted << s;
  return out << s;
}

YAML::Emitter& Code(YAML::Emitter& out, const std::string& s) {
  return out << YAML::DoubleQuoted << s;
}

void KeyText(YAML::Emitter& out, std::string_view key, const std::string& value) {
  out << YAML::Key << std::string(key) << YAML::Value;
  Text(out, value);
}
void KeyCode(YAML::Emitter& out, std::string_view key, const std::string& value) {
  out << YAML::Key << std::string(key) << YAML::Value;
  Code(out, value);
}
void OptionalText(YAML::Emitter& out, std::string_view key, const std::string& value) {
  if (!value.empty()) KeyText(out, key, value);
}
void OptionalCode(YAML::Emitter& out, std::string_view key, const std::string& value) {
  if (!value.empty()) KeyCode(out, key, value);
}
template <typename E>
void KeyEnum(YAML::Emitter& out, std::string_view key, E value) {
  out << YAML::Key << std::string(key) << YAML::Value << std::string(EnumId(value));
}
template <typename E>
void KeyEnums(YAML::Emitter& out, std::string_view key, const std::vector<E>& values) {
  out << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (E v : values) out << std::string(EnumId(v));
  out << YAML::EndSeq;
}
void KeyTexts(YAML::Emitter& out, std::string_view key, const std::vector<std::string>& values,
              bool codes) {
  out << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& v : values) codes ? Code(out, v) : Text(out, v);
  out << YAML::EndSeq;
}

void EmitLimit(YAML::Emitter& out, std::string_view key, const TimeLimit& limit) {
  out << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "value" << YAML::Value << limit.value;
  KeyEnum(out, "unit", limit.unit);
  out << YAML::EndMap;
}

void EmitScenario(YAML::Emitter& out, const Scenario& s) {
  out << YAML::BeginMap;
  KeyCode(out, "code", s.code);
  KeyText(out, "name", s.name);
  KeyEnum(out, "kind", s.kind);
  KeyText(out, "process", s.process);
  out << YAML::Key << "form" << YAML::Value;
  if (s.form.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const FormField& f : s.form) {
    out << YAML::Flow << YAML::BeginMap;
    KeyText(out, "name", f.name);
    KeyText(out, "label", f.label);
    KeyEnum(out, "type", f.type);
    out << YAML::Key << "required" << YAML::Value << f.required;
    if (!f.options.empty()) KeyTexts(out, "options", f.options, false);
    if (!f.prefill.empty()) KeyText(out, "prefill", f.prefill);
    if (!f.validation.empty()) KeyText(out, "validation", f.validation);
    if (!f.validation_message.empty()) KeyText(out, "validation_message", f.validation_message);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "materials" << YAML::Value;
  if (s.materials.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const Material& m : s.materials) {
    out << YAML::BeginMap;
    KeyText(out, "name", m.name);
    KeyEnum(out, "required", m.required);
    OptionalText(out, "condition", m.condition);
    out << YAML::Key << "core" << YAML::Value << m.core;
    KeyEnum(out, "source", m.source);
    OptionalText(out, "licence_type", m.licence_type);
    OptionalCode(out, "certificate", m.certificate);
    if (m.reuse_days) out << YAML::Key << "reuse_days" << YAML::Value << *m.reuse_days;
    if (m.request_days) out << YAML::Key << "request_days" << YAML::Value << *m.request_days;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  if (!s.review_departments.empty()) {
    KeyTexts(out, "review_departments", s.review_departments, true);
  }
  if (s.auto_decision) {
    out << YAML::Key << "auto_decision" << YAML::Value << YAML::BeginMap;
    KeyText(out, "rule", s.auto_decision->rule);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void EmitGuide(YAML::Emitter& out, const Guide& g) {
  out << YAML::Key << "guide" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "questions" << YAML::Value << YAML::BeginSeq;
  for (const GuideQuestion& q : g.questions) {
    out << YAML::BeginMap;
    KeyCode(out, "id", q.id);
    KeyText(out, "text", q.text);
    out << YAML::Key << "options" << YAML::Value << YAML::BeginSeq;
    for (const GuideOption& o : q.options) {
      out << YAML::Flow << YAML::BeginMap;
      KeyCode(out, "value", o.value);
      KeyText(out, "label", o.label);
      OptionalCode(out, "next", o.next);
      OptionalCode(out, "scenario", o.scenario);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq;
  if (!g.decision_table.empty()) {
    out << YAML::Key << "decision_table" << YAML::Value << YAML::Literal << g.decision_table;
  }
  out << YAML::EndMap;
}

void EmitItem(YAML::Emitter& out, const ImplementationItem& it) {
  out << YAML::BeginMap;
  KeyCode(out, "code", it.code);
  KeyCode(out, "basic_item", it.basic_item);
  KeyCode(out, "department", it.department);
  KeyCode(out, "region", it.region);
  KeyEnum(out, "handling_type", it.handling_type);
  if (it.legal_limit) EmitLimit(out, "legal_limit", *it.legal_limit);
  if (it.promised_limit) EmitLimit(out, "promised_limit", *it.promised_limit);
  out << YAML::Key << "fees" << YAML::Value;
  if (it.fees.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const Fee& f : it.fees) {
    out << YAML::Flow << YAML::BeginMap;
    KeyText(out, "name", f.name);
    out << YAML::Key << "amount_fen" << YAML::Value << f.amount_fen;
    OptionalText(out, "basis", f.basis);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  OptionalText(out, "place", it.place);
  OptionalText(out, "hours", it.hours);
  OptionalText(out, "phone", it.phone);
  KeyTexts(out, "windows", it.windows, true);
  out << YAML::Key << "visits" << YAML::Value << it.visits;
  out << YAML::Key << "online_depth" << YAML::Value << it.online_depth;
  out << YAML::Key << "lists" << YAML::Value << YAML::BeginMap;
  for (const auto& spec : EnumSpecs<ServiceList>()) {
    KeyEnums(out, spec.id, it.lists.Of(spec.value));
  }
  out << YAML::EndMap;
  KeyEnums(out, "cross_region_modes", it.cross_region_modes);
  KeyText(out, "jurisdiction", it.jurisdiction);
  OptionalText(out, "result_licence_type", it.result_licence_type);
  if (!it.licence_fields.empty()) {
    out << YAML::Key << "licence_fields" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [field, form_field] : it.licence_fields) {
      out << YAML::Key << field;
      out << YAML::Value;
      Text(out, form_field);
    }
    out << YAML::EndMap;
  }
  KeyTexts(out, "keywords", it.keywords, false);
  KeyTexts(out, "aliases", it.aliases, false);
  out << YAML::Key << "scenarios" << YAML::Value << YAML::BeginSeq;
  for (const Scenario& s : it.scenarios) EmitScenario(out, s);
  out << YAML::EndSeq;
  if (it.guide) EmitGuide(out, *it.guide);
  if (it.verification_within_days) {
    out << YAML::Key << "verification_within_days" << YAML::Value << *it.verification_within_days;
  }
  out << YAML::EndMap;
}

void ConfigureEmitter(YAML::Emitter& out) {
  out.SetOutputCharset(YAML::EmitNonAscii);
  out.SetBoolFormat(YAML::TrueFalseBool);
  out.SetIndent(2);
}

std::string Finished(YAML::Emitter& out) {
  std::string text = out.c_str();
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

CatalogFile ParseCatalog(std::string_view text, FieldErrors& errors, const ParseLimits& limits,
                         Syntax syntax) {
  Context ctx(errors, limits, syntax);
  CatalogFile file;
  auto doc = LoadDocument(text, ctx);
  if (!doc) return file;
  try {
    if (doc->IsNull()) return file;  // an empty file holds nothing
    MapReader r(ctx, *doc, "");
    if (!r.valid()) return file;
    auto list = [&](std::string_view key, auto read) {
      using T = decltype(read(*doc, std::string()));
      return ReadList<T>(ctx, r, key, Need::kOptional, read);
    };
    file.regions = list("regions", [&](const YAML::Node& n, const std::string& p) {
      return ReadRegion(ctx, n, p);
    });
    file.departments = list("departments", [&](const YAML::Node& n, const std::string& p) {
      return ReadDepartment(ctx, n, p);
    });
    file.windows = list("windows", [&](const YAML::Node& n, const std::string& p) {
      return ReadWindow(ctx, n, p);
    });
    file.certificates = list("certificates", [&](const YAML::Node& n, const std::string& p) {
      return ReadCertificate(ctx, n, p);
    });
    file.basic_items = list("basic_items", [&](const YAML::Node& n, const std::string& p) {
      return ReadBasicItem(ctx, n, p);
    });
    file.implementation_items =
        list("implementation_items",
             [&](const YAML::Node& n, const std::string& p) { return ReadItem(ctx, n, p); });
    file.bundles = list("bundles", [&](const YAML::Node& n, const std::string& p) {
      return ReadBundle(ctx, n, p);
    });
    r.Finish();
  } catch (const YAML::Exception& e) {
    // The reader only walks nodes it has checked, so this is not expected; still, a file must
    // never crash the importer.
    ctx.Add("", fmt::format("unreadable YAML: {}", Excerpt(e.msg, 200)));
  }
  return file;
}

}  // namespace

CatalogFile ParseCatalogYaml(std::string_view text, FieldErrors& errors,
                             const ParseLimits& limits) {
  return ParseCatalog(text, errors, limits, Syntax::kYaml);
}

CatalogFile ParseCatalogJson(std::string_view text, FieldErrors& errors,
                             const ParseLimits& limits) {
  return ParseCatalog(text, errors, limits, Syntax::kJson);
}

Result<ImplementationItem> ParseItemYaml(std::string_view text) {
  FieldErrors errors;
  ParseLimits limits;
  Context ctx(errors, limits);
  ImplementationItem item;
  if (auto doc = LoadDocument(text, ctx)) {
    try {
      item = ReadItem(ctx, *doc, "");
    } catch (const YAML::Exception& e) {
      ctx.Add("", fmt::format("unreadable YAML: {}", Excerpt(e.msg, 200)));
    }
  }
  if (!errors.empty()) {
    Error e = errors.ToError("a stored catalog item cannot be read");
    return Error(ErrorCode::kIntegrity, e.ToString());
  }
  return item;
}

std::string EmitItemYaml(const ImplementationItem& item) {
  YAML::Emitter out;
  ConfigureEmitter(out);
  EmitItem(out, item);
  return Finished(out);
}

std::string EmitCatalogYaml(const CatalogFile& file) {
  YAML::Emitter out;
  ConfigureEmitter(out);
  out << YAML::BeginMap;
  if (!file.regions.empty()) {
    out << YAML::Key << "regions" << YAML::Value << YAML::BeginSeq;
    for (const Region& r : file.regions) {
      out << YAML::BeginMap;
      KeyCode(out, "code", r.code);
      OptionalText(out, "name", r.name);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!file.departments.empty()) {
    out << YAML::Key << "departments" << YAML::Value << YAML::BeginSeq;
    for (const Department& d : file.departments) {
      out << YAML::BeginMap;
      KeyCode(out, "code", d.code);
      KeyText(out, "name", d.name);
      KeyCode(out, "uscc", d.uscc);
      KeyCode(out, "region", d.region);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!file.windows.empty()) {
    out << YAML::Key << "windows" << YAML::Value << YAML::BeginSeq;
    for (const Window& w : file.windows) {
      out << YAML::BeginMap;
      KeyCode(out, "code", w.code);
      KeyText(out, "name", w.name);
      KeyCode(out, "region", w.region);
      KeyEnum(out, "kind", w.kind);
      OptionalCode(out, "department", w.department);
      OptionalText(out, "address", w.address);
      OptionalText(out, "hours", w.hours);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!file.certificates.empty()) {
    out << YAML::Key << "certificates" << YAML::Value << YAML::BeginSeq;
    for (const Certificate& c : file.certificates) {
      out << YAML::BeginMap;
      KeyCode(out, "code", c.code);
      KeyText(out, "name", c.name);
      OptionalText(out, "issuer", c.issuer);
      KeyText(out, "basis", c.basis);
      KeyEnum(out, "status", c.status);
      OptionalText(out, "cancelled_basis", c.cancelled_basis);
      OptionalText(out, "licence_type", c.licence_type);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!file.basic_items.empty()) {
    out << YAML::Key << "basic_items" << YAML::Value << YAML::BeginSeq;
    for (const BasicItem& b : file.basic_items) {
      out << YAML::BeginMap;
      KeyCode(out, "code", b.code);
      KeyText(out, "name", b.name);
      KeyEnum(out, "kind", b.kind);
      KeyText(out, "legal_basis", b.legal_basis);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!file.implementation_items.empty()) {
    out << YAML::Key << "implementation_items" << YAML::Value << YAML::BeginSeq;
    for (const ImplementationItem& it : file.implementation_items) EmitItem(out, it);
    out << YAML::EndSeq;
  }
  if (!file.bundles.empty()) {
    out << YAML::Key << "bundles" << YAML::Value << YAML::BeginSeq;
    for (const Bundle& b : file.bundles) {
      out << YAML::BeginMap;
      KeyCode(out, "code", b.code);
      KeyText(out, "name", b.name);
      KeyCode(out, "region", b.region);
      KeyTexts(out, "matters", b.matters, true);
      KeyText(out, "process", b.process);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  return Finished(out);
}

}  // namespace tongban::catalog
