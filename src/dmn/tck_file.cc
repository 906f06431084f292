// TCK test file → TckFile. Only local names are compared: test files use the default namespace
// or a `tc:` prefix for the same testcase namespace.
#include "dmn/tck_file.h"

#include <fmt/format.h>

#include <pugixml.hpp>

namespace tongban::dmn {
namespace {

std::string_view LocalName(std::string_view qname) {
  size_t colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

bool Is(pugi::xml_node node, std::string_view local) {
  return node.type() == pugi::node_element && LocalName(node.name()) == local;
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c : node.children()) {
    if (Is(c, local)) return c;
  }
  return {};
}

std::string InnerText(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node c : node.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

// The attribute `local` in the XML Schema instance namespace, whatever its prefix.
pugi::xml_attribute XsiAttribute(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_attribute a : node.attributes()) {
    std::string_view name = a.name();
    if (name.starts_with("xmlns")) continue;
    if (LocalName(name) == local && name.find(':') != std::string_view::npos) return a;
  }
  return {};
}

bool IsNil(pugi::xml_node node) {
  pugi::xml_attribute nil = XsiAttribute(node, "nil");
  return nil && std::string_view(nil.value()) == "true";
}

// Reads a valueType element (inputNode, expected, component, item).
TckValue ReadValue(pugi::xml_node node, int depth) {
  TckValue v;
  if (depth > 100 || IsNil(node)) return v;
  if (pugi::xml_node value = Child(node, "value")) {
    if (IsNil(value)) return v;
    v.kind = TckValue::Kind::kSimple;
    v.xsi_type = std::string(LocalName(XsiAttribute(value, "type").value()));
    v.text = InnerText(value);
    return v;
  }
  if (pugi::xml_node list = Child(node, "list")) {
    if (IsNil(list)) return v;
    v.kind = TckValue::Kind::kList;
    for (pugi::xml_node item : list.children()) {
      if (Is(item, "item")) v.items.push_back(ReadValue(item, depth + 1));
    }
    return v;
  }
  bool any_component = false;
  for (pugi::xml_node c : node.children()) {
    if (!Is(c, "component")) continue;
    any_component = true;
    v.component_names.emplace_back(c.attribute("name").value());
    v.components.push_back(ReadValue(c, depth + 1));
  }
  if (any_component) v.kind = TckValue::Kind::kComponents;
  return v;
}

}  // namespace

Result<TckFile> ParseTckFile(std::string_view text, std::string_view source) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size());
  if (!parsed) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: XML error at byte {}: {}", source,
                                                          parsed.offset, parsed.description()));
  }
  pugi::xml_node root = doc.document_element();
  if (!Is(root, "testCases")) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: the root element is not <testCases>", source));
  }
  TckFile file;
  file.model_name = InnerText(Child(root, "modelName"));
  int number = 0;
  for (pugi::xml_node tc : root.children()) {
    if (!Is(tc, "testCase")) continue;
    ++number;
    TckCase c;
    c.id = tc.attribute("id").value();
    if (c.id.empty()) c.id = fmt::format("{:03}", number);
    std::string_view type = tc.attribute("type").value();
    if (type.empty() || type == "decision") {
      c.kind = TckCaseKind::kDecision;
    } else if (type == "bkm") {
      c.kind = TckCaseKind::kBkm;
    } else if (type == "decisionService") {
      c.kind = TckCaseKind::kDecisionService;
    } else {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: testCase {}: unknown type '{}'", source, c.id, type));
    }
    c.invocable_name = tc.attribute("invocableName").value();
    c.description = InnerText(Child(tc, "description"));
    for (pugi::xml_node n : tc.children()) {
      if (Is(n, "inputNode")) {
        c.inputs.push_back({.name = n.attribute("name").value(),
                            .namespace_uri = n.attribute("namespace").value(),
                            .value = ReadValue(n, 0)});
      } else if (Is(n, "resultNode")) {
        TckResult r;
        r.name = n.attribute("name").value();
        r.error_result = std::string_view(n.attribute("errorResult").value()) == "true";
        if (pugi::xml_node expected = Child(n, "expected")) {
          r.has_expected = true;
          r.expected = ReadValue(expected, 0);
        }
        c.results.push_back(std::move(r));
      }
    }
    file.cases.push_back(std::move(c));
  }
  return file;
}

}  // namespace tongban::dmn
