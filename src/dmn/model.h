// The DMN model as plain values: what a DMN 1.1–1.5 XML file (or a YAML decision table) says,
// with FEEL kept as text. Evaluation (evaluator.h) compiles the text once per model load.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tongban::dmn {

// A reference to a DRG element: `href="#id"` (namespace_uri empty: the same model) or
// `href="otherNamespace#id"` (an imported model).
struct Reference {
  std::string namespace_uri;
  std::string id;
  bool operator==(const Reference&) const = default;
};

struct FormalParameter {
  std::string name;
  std::string type_ref;  // empty: Any
};

// A function type of an item definition (DMN 1.3+ functionItem).
struct FunctionItem {
  std::vector<FormalParameter> parameters;
  std::string output_type_ref;
};

// An item definition: a named type, either a reference to another type (`type_ref`), a
// structure (`components`) or a function type, possibly a collection of it, possibly restricted
// by unary tests (`allowed_values`, DMN 1.5 `type_constraint`).
struct ItemDefinition {
  std::string id;
  std::string name;
  std::string type_ref;
  std::string allowed_values;   // unary tests text, empty when unrestricted
  std::string type_constraint;  // DMN 1.5: unary tests on the whole (collection) value
  bool is_collection = false;
  std::vector<ItemDefinition> components;
  std::optional<FunctionItem> function_item;
};

struct Expression;
using ExpressionPtr = std::unique_ptr<Expression>;

struct LiteralExpression {
  std::string text;
};

enum class HitPolicy { kUnique, kFirst, kPriority, kAny, kCollect, kRuleOrder, kOutputOrder };
enum class Aggregation { kNone, kSum, kMin, kMax, kCount };

struct DecisionTableInput {
  std::string id;
  std::string label;
  std::string expression;  // FEEL text of the input expression
  std::string type_ref;
  std::string input_values;  // unary tests text, empty when unrestricted
};

struct DecisionTableOutput {
  std::string id;
  std::string name;  // empty for a single-output table
  std::string label;
  std::string type_ref;
  std::string output_values;   // unary tests text; its order ranks PRIORITY and OUTPUT ORDER
  std::string default_output;  // FEEL text, empty when none
};

struct DecisionRule {
  std::string id;
  std::vector<std::string> input_entries;   // unary tests text, one per input
  std::vector<std::string> output_entries;  // FEEL text, one per output
};

// clang-analyzer does not follow Result's std::variant and calls this enum member garbage.
// NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign)
struct DecisionTable {
  HitPolicy hit_policy = HitPolicy::kUnique;
  Aggregation aggregation = Aggregation::kNone;
  std::string output_label;
  std::vector<DecisionTableInput> inputs;
  std::vector<DecisionTableOutput> outputs;
  std::vector<DecisionRule> rules;
};

// One entry of a boxed context; `name` empty means the final result entry.
struct ContextEntry {
  std::string name;
  std::string type_ref;
  ExpressionPtr value;
};

struct Context {
  std::vector<ContextEntry> entries;
};

struct List {
  std::vector<ExpressionPtr> items;
};

struct RelationColumn {
  std::string name;
  std::string type_ref;
};

struct Relation {
  std::vector<RelationColumn> columns;
  std::vector<std::vector<ExpressionPtr>> rows;
};

// One argument of an invocation, bound by parameter name; `value` null binds null.
struct Binding {
  std::string parameter;
  ExpressionPtr value;
};

struct Invocation {
  ExpressionPtr callee;  // usually a literal expression naming a BKM
  std::vector<Binding> bindings;
};

enum class FunctionKind { kFeel, kJava, kPmml };

// clang-analyzer does not follow Result's std::variant and calls this enum member garbage.
// NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign)
struct FunctionDefinition {
  FunctionKind kind = FunctionKind::kFeel;
  std::vector<FormalParameter> parameters;
  ExpressionPtr body;  // null: no body (evaluates to null)
};

struct Conditional {
  ExpressionPtr if_expression;
  ExpressionPtr then_expression;
  ExpressionPtr else_expression;
};

enum class IteratorKind { kFor, kSome, kEvery };

// DMN 1.5 boxed iterators: `for`/`some`/`every` with `in` and `return`/`satisfies`.
struct Iterator {
  IteratorKind kind = IteratorKind::kFor;
  std::string variable;
  ExpressionPtr in;
  ExpressionPtr body;
};

struct Filter {
  ExpressionPtr in;
  ExpressionPtr match;
};

// A boxed expression: one of the alternatives, plus its element id and type.
struct Expression {
  std::string id;
  std::string type_ref;
  std::variant<LiteralExpression, DecisionTable, Context, List, Relation, Invocation,
               FunctionDefinition, Conditional, Iterator, Filter>
      body;
};

// Names a kind of boxed expression for messages ("decision table", "context").
std::string_view ExpressionKindName(const Expression& expression);

struct InputData {
  std::string id;
  std::string name;
  std::string type_ref;
};

struct Decision {
  std::string id;
  std::string name;
  std::string type_ref;  // of the variable
  std::vector<Reference> required_decisions;
  std::vector<Reference> required_inputs;
  std::vector<Reference> required_knowledge;  // BKMs and decision services
  ExpressionPtr logic;                        // null: no decision logic
};

struct BusinessKnowledgeModel {
  std::string id;
  std::string name;
  std::string type_ref;
  std::vector<Reference> required_knowledge;
  std::optional<FunctionDefinition> logic;  // encapsulatedLogic
};

struct DecisionService {
  std::string id;
  std::string name;
  std::string type_ref;
  std::vector<Reference> output_decisions;
  std::vector<Reference> encapsulated_decisions;
  std::vector<Reference> input_decisions;
  std::vector<Reference> input_data;
};

struct Import {
  std::string name;  // prefix of imported names: `myimport.tPerson`
  std::string namespace_uri;
  std::string location_uri;
  std::string import_type;
};

enum class DmnVersion { k11, k12, k13, k14, k15 };

// One DMN file.
struct Definitions {
  std::string id;
  std::string name;
  std::string namespace_uri;
  DmnVersion version = DmnVersion::k15;
  std::string source;  // the file it came from, for messages
  std::vector<Import> imports;
  std::vector<ItemDefinition> item_definitions;
  std::vector<InputData> input_data;
  std::vector<Decision> decisions;
  std::vector<BusinessKnowledgeModel> knowledge_models;
  std::vector<DecisionService> decision_services;
};

}  // namespace tongban::dmn
