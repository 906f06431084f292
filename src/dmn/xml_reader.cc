// DMN XML → model. pugixml has no namespace support, so prefixes are resolved here by walking
// the `xmlns` declarations of the element and its ancestors.
#include "dmn/xml_reader.h"

#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>
#include <utility>

namespace tongban::dmn {
namespace {

struct DmnNamespace {
  std::string_view uri;
  DmnVersion version;
};

constexpr std::array<DmnNamespace, 5> kDmnNamespaces = {{
    {"http://www.omg.org/spec/DMN/20151101/dmn.xsd", DmnVersion::k11},
    {"http://www.omg.org/spec/DMN/20180521/MODEL/", DmnVersion::k12},
    {"https://www.omg.org/spec/DMN/20191111/MODEL/", DmnVersion::k13},
    {"https://www.omg.org/spec/DMN/20211108/MODEL/", DmnVersion::k14},
    {"https://www.omg.org/spec/DMN/20230324/MODEL/", DmnVersion::k15},
}};

const DmnNamespace* FindDmnNamespace(std::string_view uri) {
  for (const DmnNamespace& ns : kDmnNamespaces) {
    if (ns.uri == uri) return &ns;
  }
  return nullptr;
}

std::string_view Prefix(std::string_view qname) {
  size_t colon = qname.find(':');
  return colon == std::string_view::npos ? std::string_view() : qname.substr(0, colon);
}

std::string_view LocalName(std::string_view qname) {
  size_t colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

// The namespace URI bound to `prefix` (empty: the default namespace) where `node` is.
std::string_view ResolvePrefix(pugi::xml_node node, std::string_view prefix) {
  std::string attr = prefix.empty() ? std::string("xmlns") : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (n.type() != pugi::node_element) continue;
    pugi::xml_attribute a = n.attribute(attr.c_str());
    if (a) return a.value();
  }
  return {};
}

bool IsDmnElement(pugi::xml_node node) {
  if (node.type() != pugi::node_element) return false;
  return FindDmnNamespace(ResolvePrefix(node, Prefix(node.name()))) != nullptr;
}

bool Is(pugi::xml_node node, std::string_view local) {
  return IsDmnElement(node) && LocalName(node.name()) == local;
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c : node.children()) {
    if (Is(c, local)) return c;
  }
  return {};
}

std::vector<pugi::xml_node> Children(pugi::xml_node node, std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c : node.children()) {
    if (Is(c, local)) out.push_back(c);
  }
  return out;
}

// All character data of `node` (text and CDATA sections).
std::string InnerText(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node c : node.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

// The text of the `<text>` child (literal expressions, unary tests).
std::string TextChild(pugi::xml_node node) { return InnerText(Child(node, "text")); }

std::string Attr(pugi::xml_node node, const char* name) { return node.attribute(name).value(); }

bool IsFeelNamespace(std::string_view uri) {
  return uri.find("/FEEL/") != std::string_view::npos ||
         uri.find("/FEEL") != std::string_view::npos;
}

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Result<Definitions> Read(pugi::xml_node root) {
    const DmnNamespace* ns = FindDmnNamespace(ResolvePrefix(root, Prefix(root.name())));
    if (ns == nullptr || LocalName(root.name()) != "definitions") {
      return Fail(
          fmt::format("the root element <{}> is not a DMN 1.1–1.5 <definitions>", root.name()));
    }
    defs_.version = ns->version;
    defs_.id = Attr(root, "id");
    defs_.name = Attr(root, "name");
    defs_.namespace_uri = Attr(root, "namespace");
    defs_.source = std::string(source_);
    for (pugi::xml_node n : Children(root, "import")) {
      defs_.imports.push_back({.name = Attr(n, "name"),
                               .namespace_uri = Attr(n, "namespace"),
                               .location_uri = Attr(n, "locationURI"),
                               .import_type = Attr(n, "importType")});
    }
    for (pugi::xml_node c : root.children()) {
      if (!IsDmnElement(c)) continue;
      std::string_view local = LocalName(c.name());
      if (local == "itemDefinition") {
        TB_ASSIGN_OR_RETURN(auto item, ReadItemDefinition(c));
        defs_.item_definitions.push_back(std::move(item));
      } else if (local == "inputData") {
        defs_.input_data.push_back(
            {.id = Attr(c, "id"), .name = Attr(c, "name"), .type_ref = VariableType(c)});
      } else if (local == "decision") {
        TB_ASSIGN_OR_RETURN(auto decision, ReadDecision(c));
        defs_.decisions.push_back(std::move(decision));
      } else if (local == "businessKnowledgeModel") {
        TB_ASSIGN_OR_RETURN(auto bkm, ReadBkm(c));
        defs_.knowledge_models.push_back(std::move(bkm));
      } else if (local == "decisionService") {
        TB_ASSIGN_OR_RETURN(auto service, ReadDecisionService(c));
        defs_.decision_services.push_back(std::move(service));
      }
    }
    return std::move(defs_);
  }

 private:
  Error Fail(std::string message) const {
    return {ErrorCode::kInvalidArgument, fmt::format("{}: {}", source_, message)};
  }
  Error FailAt(pugi::xml_node node, std::string_view message) const {
    std::string where = std::string(LocalName(node.name()));
    // Name the nearest ancestor with a name, then the element with its id.
    for (pugi::xml_node n = node; n; n = n.parent()) {
      if (n.type() == pugi::node_element && n.attribute("name") && n != node) {
        where = fmt::format("{} '{}' ({}): {}", LocalName(n.name()), Attr(n, "name"), Attr(n, "id"),
                            where);
        break;
      }
    }
    std::string id = Attr(node, "id");
    if (!id.empty()) where += " " + id;
    return Fail(fmt::format("{}: {}", where, message));
  }

  std::string TypeRef(pugi::xml_node node, std::string_view text) const {
    std::string_view prefix = Prefix(text);
    if (prefix.empty() || text.find(' ') < prefix.size()) return std::string(text);
    std::string_view uri = ResolvePrefix(node, prefix);
    if (uri.empty()) return std::string(text);
    std::string_view local = LocalName(text);
    if (IsFeelNamespace(uri) || FindDmnNamespace(uri) != nullptr || uri == defs_.namespace_uri) {
      return std::string(local);
    }
    for (const Import& import : defs_.imports) {
      if (import.namespace_uri == uri) return fmt::format("{}.{}", import.name, local);
    }
    return std::string(text);
  }

  std::string TypeRefAttr(pugi::xml_node node, const char* name = "typeRef") const {
    return TypeRef(node, node.attribute(name).value());
  }

  std::string VariableType(pugi::xml_node element) const {
    pugi::xml_node variable = Child(element, "variable");
    return variable ? TypeRefAttr(variable) : std::string();
  }

  Reference ReadHref(pugi::xml_node node) const {
    std::string href = Attr(node, "href");
    size_t hash = href.find('#');
    if (hash == std::string::npos) return {.namespace_uri = "", .id = href};
    std::string ns = href.substr(0, hash);
    if (ns == defs_.namespace_uri) ns.clear();
    return {.namespace_uri = ns, .id = href.substr(hash + 1)};
  }

  std::vector<Reference> Hrefs(pugi::xml_node parent, std::string_view requirement,
                               std::string_view required) const {
    std::vector<Reference> out;
    for (pugi::xml_node r : Children(parent, requirement)) {
      for (pugi::xml_node t : Children(r, required)) out.push_back(ReadHref(t));
    }
    return out;
  }

  Result<ItemDefinition> ReadItemDefinition(pugi::xml_node node, int depth = 0) {
    if (depth > kMaxDepth) return FailAt(node, "item components nested too deeply");
    ItemDefinition item;
    item.id = Attr(node, "id");
    item.name = Attr(node, "name");
    item.is_collection = std::string_view(Attr(node, "isCollection")) == "true";
    if (pugi::xml_node t = Child(node, "typeRef")) item.type_ref = TypeRef(t, InnerText(t));
    if (pugi::xml_node a = Child(node, "allowedValues")) item.allowed_values = TextChild(a);
    if (pugi::xml_node a = Child(node, "typeConstraint")) item.type_constraint = TextChild(a);
    for (pugi::xml_node c : Children(node, "itemComponent")) {
      TB_ASSIGN_OR_RETURN(auto component, ReadItemDefinition(c, depth + 1));
      item.components.push_back(std::move(component));
    }
    if (pugi::xml_node f = Child(node, "functionItem")) {
      FunctionItem function;
      function.output_type_ref = TypeRefAttr(f, "outputTypeRef");
      for (pugi::xml_node p : Children(f, "parameters")) {
        function.parameters.push_back({.name = Attr(p, "name"), .type_ref = TypeRefAttr(p)});
      }
      item.function_item = std::move(function);
    }
    return item;
  }

  Result<Decision> ReadDecision(pugi::xml_node node) {
    Decision d;
    d.id = Attr(node, "id");
    d.name = Attr(node, "name");
    d.type_ref = VariableType(node);
    d.required_decisions = Hrefs(node, "informationRequirement", "requiredDecision");
    d.required_inputs = Hrefs(node, "informationRequirement", "requiredInput");
    d.required_knowledge = Hrefs(node, "knowledgeRequirement", "requiredKnowledge");
    TB_ASSIGN_OR_RETURN(d.logic, ReadOptionalExpressionIn(node));
    return d;
  }

  Result<BusinessKnowledgeModel> ReadBkm(pugi::xml_node node) {
    BusinessKnowledgeModel bkm;
    bkm.id = Attr(node, "id");
    bkm.name = Attr(node, "name");
    bkm.type_ref = VariableType(node);
    bkm.required_knowledge = Hrefs(node, "knowledgeRequirement", "requiredKnowledge");
    if (pugi::xml_node logic = Child(node, "encapsulatedLogic")) {
      TB_ASSIGN_OR_RETURN(auto function, ReadFunctionDefinition(logic));
      bkm.logic = std::move(function);
    }
    return bkm;
  }

  Result<DecisionService> ReadDecisionService(pugi::xml_node node) {
    DecisionService s;
    s.id = Attr(node, "id");
    s.name = Attr(node, "name");
    s.type_ref = VariableType(node);
    for (pugi::xml_node c : node.children()) {
      if (!IsDmnElement(c)) continue;
      std::string_view local = LocalName(c.name());
      if (local == "outputDecision") s.output_decisions.push_back(ReadHref(c));
      if (local == "encapsulatedDecision") s.encapsulated_decisions.push_back(ReadHref(c));
      if (local == "inputDecision") s.input_decisions.push_back(ReadHref(c));
      if (local == "inputData") s.input_data.push_back(ReadHref(c));
    }
    return s;
  }

  static bool IsExpressionElement(std::string_view local) {
    static constexpr std::array<std::string_view, 14> kNames = {
        "literalExpression",  "decisionTable", "context", "list", "relation", "invocation",
        "functionDefinition", "conditional",   "for",     "some", "every",    "filter",
        "functionDefinition"};
    for (std::string_view n : kNames) {
      if (n == local) return true;
    }
    return false;
  }

  // The first boxed-expression child of `parent`, or null when it has none.
  Result<ExpressionPtr> ReadOptionalExpressionIn(pugi::xml_node parent) {
    for (pugi::xml_node c : parent.children()) {
      if (IsDmnElement(c) && IsExpressionElement(LocalName(c.name()))) return ReadExpression(c);
    }
    return ExpressionPtr();
  }

  Result<ExpressionPtr> ReadExpressionIn(pugi::xml_node parent) {
    TB_ASSIGN_OR_RETURN(auto e, ReadOptionalExpressionIn(parent));
    if (!e) return FailAt(parent, "has no expression");
    return e;
  }

  Result<ExpressionPtr> ReadExpression(pugi::xml_node node) {
    if (++depth_ > kMaxDepth) return FailAt(node, "boxed expressions nested too deeply");
    auto result = ReadExpressionBody(node);
    --depth_;
    return result;
  }

  Result<ExpressionPtr> ReadExpressionBody(pugi::xml_node node) {
    auto e = std::make_unique<Expression>();
    e->id = Attr(node, "id");
    e->type_ref = TypeRefAttr(node);
    std::string_view local = LocalName(node.name());
    if (local == "literalExpression") {
      e->body = LiteralExpression{TextChild(node)};
    } else if (local == "decisionTable") {
      TB_ASSIGN_OR_RETURN(auto table, ReadDecisionTable(node));
      e->body = std::move(table);
    } else if (local == "context") {
      Context context;
      for (pugi::xml_node entry : Children(node, "contextEntry")) {
        ContextEntry ce;
        if (pugi::xml_node v = Child(entry, "variable")) {
          ce.name = Attr(v, "name");
          ce.type_ref = TypeRefAttr(v);
        }
        TB_ASSIGN_OR_RETURN(ce.value, ReadOptionalExpressionIn(entry));
        context.entries.push_back(std::move(ce));
      }
      e->body = std::move(context);
    } else if (local == "list") {
      List list;
      for (pugi::xml_node c : node.children()) {
        if (!IsDmnElement(c) || !IsExpressionElement(LocalName(c.name()))) continue;
        TB_ASSIGN_OR_RETURN(auto item, ReadExpression(c));
        list.items.push_back(std::move(item));
      }
      e->body = std::move(list);
    } else if (local == "relation") {
      Relation relation;
      for (pugi::xml_node c : Children(node, "column")) {
        relation.columns.push_back({.name = Attr(c, "name"), .type_ref = TypeRefAttr(c)});
      }
      for (pugi::xml_node r : Children(node, "row")) {
        std::vector<ExpressionPtr> row;
        for (pugi::xml_node c : r.children()) {
          if (!IsDmnElement(c) || !IsExpressionElement(LocalName(c.name()))) continue;
          TB_ASSIGN_OR_RETURN(auto cell, ReadExpression(c));
          row.push_back(std::move(cell));
        }
        if (row.size() != relation.columns.size()) {
          return FailAt(r, fmt::format("relation row has {} cells for {} columns", row.size(),
                                       relation.columns.size()));
        }
        relation.rows.push_back(std::move(row));
      }
      e->body = std::move(relation);
    } else if (local == "invocation") {
      Invocation invocation;
      TB_ASSIGN_OR_RETURN(invocation.callee, ReadOptionalExpressionIn(node));
      if (!invocation.callee) return FailAt(node, "invocation names no function");
      for (pugi::xml_node b : Children(node, "binding")) {
        Binding binding;
        binding.parameter = Attr(Child(b, "parameter"), "name");
        TB_ASSIGN_OR_RETURN(binding.value, ReadOptionalExpressionIn(b));
        invocation.bindings.push_back(std::move(binding));
      }
      e->body = std::move(invocation);
    } else if (local == "functionDefinition") {
      TB_ASSIGN_OR_RETURN(auto function, ReadFunctionDefinition(node));
      e->body = std::move(function);
    } else if (local == "conditional") {
      Conditional c;
      TB_ASSIGN_OR_RETURN(c.if_expression, ReadExpressionIn(Child(node, "if")));
      TB_ASSIGN_OR_RETURN(c.then_expression, ReadExpressionIn(Child(node, "then")));
      TB_ASSIGN_OR_RETURN(c.else_expression, ReadExpressionIn(Child(node, "else")));
      e->body = std::move(c);
    } else if (local == "for" || local == "some" || local == "every") {
      Iterator it;
      it.kind = local == "for"    ? IteratorKind::kFor
                : local == "some" ? IteratorKind::kSome
                                  : IteratorKind::kEvery;
      it.variable = Attr(node, "iteratorVariable");
      TB_ASSIGN_OR_RETURN(it.in, ReadExpressionIn(Child(node, "in")));
      TB_ASSIGN_OR_RETURN(it.body,
                          ReadExpressionIn(Child(node, local == "for" ? "return" : "satisfies")));
      e->body = std::move(it);
    } else if (local == "filter") {
      Filter f;
      TB_ASSIGN_OR_RETURN(f.in, ReadExpressionIn(Child(node, "in")));
      TB_ASSIGN_OR_RETURN(f.match, ReadExpressionIn(Child(node, "match")));
      e->body = std::move(f);
    } else {
      return FailAt(node, "is not a boxed expression this reader knows");
    }
    return e;
  }

  Result<FunctionDefinition> ReadFunctionDefinition(pugi::xml_node node) {
    FunctionDefinition f;
    std::string kind = Attr(node, "kind");
    if (kind.empty() || kind == "FEEL" || kind == "F") {
      f.kind = FunctionKind::kFeel;
    } else if (kind == "Java" || kind == "J") {
      f.kind = FunctionKind::kJava;
    } else if (kind == "PMML" || kind == "P") {
      f.kind = FunctionKind::kPmml;
    } else {
      return FailAt(node, fmt::format("unknown function kind '{}'", kind));
    }
    for (pugi::xml_node p : Children(node, "formalParameter")) {
      f.parameters.push_back({.name = Attr(p, "name"), .type_ref = TypeRefAttr(p)});
    }
    TB_ASSIGN_OR_RETURN(f.body, ReadOptionalExpressionIn(node));
    return f;
  }

  Result<DecisionTable> ReadDecisionTable(pugi::xml_node node) {
    DecisionTable t;
    std::string hit = Attr(node, "hitPolicy");
    if (hit.empty() || hit == "UNIQUE") {
      t.hit_policy = HitPolicy::kUnique;
    } else if (hit == "FIRST") {
      t.hit_policy = HitPolicy::kFirst;
    } else if (hit == "PRIORITY") {
      t.hit_policy = HitPolicy::kPriority;
    } else if (hit == "ANY") {
      t.hit_policy = HitPolicy::kAny;
    } else if (hit == "COLLECT") {
      t.hit_policy = HitPolicy::kCollect;
    } else if (hit == "RULE ORDER") {
      t.hit_policy = HitPolicy::kRuleOrder;
    } else if (hit == "OUTPUT ORDER") {
      t.hit_policy = HitPolicy::kOutputOrder;
    } else {
      return FailAt(node, fmt::format("unknown hitPolicy '{}'", hit));
    }
    std::string aggregation = Attr(node, "aggregation");
    if (aggregation.empty()) {
      t.aggregation = Aggregation::kNone;
    } else if (aggregation == "SUM") {
      t.aggregation = Aggregation::kSum;
    } else if (aggregation == "MIN") {
      t.aggregation = Aggregation::kMin;
    } else if (aggregation == "MAX") {
      t.aggregation = Aggregation::kMax;
    } else if (aggregation == "COUNT") {
      t.aggregation = Aggregation::kCount;
    } else {
      return FailAt(node, fmt::format("unknown aggregation '{}'", aggregation));
    }
    t.output_label = Attr(node, "outputLabel");
    for (pugi::xml_node in : Children(node, "input")) {
      pugi::xml_node expr = Child(in, "inputExpression");
      t.inputs.push_back({.id = Attr(in, "id"),
                          .label = Attr(in, "label"),
                          .expression = TextChild(expr),
                          .type_ref = TypeRefAttr(expr),
                          .input_values = TextChild(Child(in, "inputValues"))});
    }
    for (pugi::xml_node out : Children(node, "output")) {
      t.outputs.push_back({.id = Attr(out, "id"),
                           .name = Attr(out, "name"),
                           .label = Attr(out, "label"),
                           .type_ref = TypeRefAttr(out),
                           .output_values = TextChild(Child(out, "outputValues")),
                           .default_output = TextChild(Child(out, "defaultOutputEntry"))});
    }
    if (t.outputs.empty()) return FailAt(node, "decision table has no output");
    int number = 0;
    for (pugi::xml_node r : Children(node, "rule")) {
      ++number;
      DecisionRule rule;
      rule.id = Attr(r, "id");
      for (pugi::xml_node c : Children(r, "inputEntry")) rule.input_entries.push_back(TextChild(c));
      for (pugi::xml_node c : Children(r, "outputEntry")) {
        rule.output_entries.push_back(TextChild(c));
      }
      if (rule.input_entries.size() != t.inputs.size() ||
          rule.output_entries.size() != t.outputs.size()) {
        return FailAt(r, fmt::format("rule {} has {} input and {} output entries, the table {} "
                                     "inputs and {} outputs",
                                     number, rule.input_entries.size(), rule.output_entries.size(),
                                     t.inputs.size(), t.outputs.size()));
      }
      t.rules.push_back(std::move(rule));
    }
    return t;
  }

  static constexpr int kMaxDepth = 200;
  std::string_view source_;
  Definitions defs_;
  int depth_ = 0;
};

}  // namespace

std::string_view ExpressionKindName(const Expression& expression) {
  static constexpr std::array<std::string_view, 10> kNames = {
      "literal expression", "decision table",      "context",     "list",     "relation",
      "invocation",         "function definition", "conditional", "iterator", "filter"};
  return kNames[expression.body.index()];
}

Result<Definitions> ParseDmnXml(std::string_view text, std::string_view source) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size());
  if (!parsed) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: XML error at byte {}: {}", source,
                                                          parsed.offset, parsed.description()));
  }
  return Reader(source).Read(doc.document_element());
}

const Definitions* ModelSet::FindByNamespace(std::string_view namespace_uri) const {
  for (const auto& m : models) {
    if (m->namespace_uri == namespace_uri) return m.get();
  }
  return nullptr;
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, fmt::format("cannot open {}", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

namespace {

bool IsDmnImport(const Import& import) {
  return import.import_type.empty() || FindDmnNamespace(import.import_type) != nullptr ||
         import.import_type.find("/DMN/") != std::string::npos;
}

// Loads `path` and its imports into `set`, skipping namespaces already loaded.
Status LoadInto(const std::filesystem::path& path, ModelSet& set,
                std::vector<std::pair<std::string, Definitions>>& folder_cache, int depth) {
  if (depth > 32) return Error(ErrorCode::kInvalidArgument, "imports nested too deeply");
  TB_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path.string()));
  TB_ASSIGN_OR_RETURN(Definitions defs, ParseDmnXml(text, path.filename().string()));
  if (set.FindByNamespace(defs.namespace_uri) != nullptr && depth > 0) return Ok();
  std::vector<Import> imports = defs.imports;
  set.models.push_back(std::make_shared<const Definitions>(std::move(defs)));
  for (const Import& import : imports) {
    if (!IsDmnImport(import) || set.FindByNamespace(import.namespace_uri) != nullptr) continue;
    std::filesystem::path folder = path.parent_path();
    if (!import.location_uri.empty() && std::filesystem::exists(folder / import.location_uri)) {
      TB_RETURN_IF_ERROR(LoadInto(folder / import.location_uri, set, folder_cache, depth + 1));
      continue;
    }
    // Search the folder's .dmn files by namespace (read once per load).
    if (folder_cache.empty()) {
      std::error_code ec;
      for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        if (entry.path().extension() != ".dmn") continue;
        auto other_text = ReadTextFile(entry.path().string());
        if (!other_text.ok()) continue;
        auto other = ParseDmnXml(*other_text, entry.path().filename().string());
        if (other.ok()) folder_cache.emplace_back(entry.path().string(), std::move(*other));
      }
    }
    bool found = false;
    for (const auto& [file, other] : folder_cache) {
      if (other.namespace_uri == import.namespace_uri) {
        TB_RETURN_IF_ERROR(LoadInto(file, set, folder_cache, depth + 1));
        found = true;
        break;
      }
    }
    if (!found) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("{}: import '{}' ({}) not found beside it", path.filename().string(),
                               import.name, import.namespace_uri));
    }
  }
  return Ok();
}

}  // namespace

Result<ModelSet> LoadDmnFile(const std::string& path) {
  ModelSet set;
  std::vector<std::pair<std::string, Definitions>> folder_cache;
  TB_RETURN_IF_ERROR(LoadInto(path, set, folder_cache, 0));
  return set;
}

}  // namespace tongban::dmn
