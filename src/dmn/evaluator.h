// Evaluation of DMN models: every FEEL text of a model (and of the models it imports) is
// compiled once when the model is built; decisions are then evaluated many times, each request
// evaluating the decision requirements graph in dependency order with every decision's value in
// scope under its name. Business knowledge models and decision services are FEEL function
// values. Values are checked against their declared types (item definitions): a value that does
// not conform becomes null with a warning, a singleton list and its element are coerced into
// each other (DMN 1.5 §10.3.2.9.4).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dmn/model.h"
#include "dmn/xml_reader.h"
#include "feel/value.h"

namespace tongban::dmn {

// The value of one input data element. `namespace_uri` empty: the loaded model's (or, when
// no input of that name is there, any model's input data of that name).
struct InputValue {
  std::string namespace_uri;
  std::string name;
  feel::Value value;
};

// The result of an evaluation: the value (null when it failed) and what went wrong on the way
// (errors inside FEEL, hit-policy violations, type mismatches), each naming the element.
struct Outcome {
  feel::Value value;
  std::vector<std::string> warnings;
  // With EvaluateOptions::explain: each decision table's inputs and matched rules and each
  // decision's value, in evaluation order, so a result can be explained to the person it
  // concerns ("…decision table: 残疾等级 = 3; no rule matched").
  std::vector<std::string> explanation;
};

struct EvaluateOptions {
  bool explain = false;
};

class DecisionModel {
 public:
  struct Impl;

  // Compiles `models` (models[0] is the one evaluated; the rest are its imports). Texts that do
  // not compile do not fail the build: they are listed in problems() and evaluate to null with
  // that message as a warning, so the rest of the model stays usable. Errors only for what
  // makes the model unusable (none today; the Result leaves room for limits).
  static Result<std::shared_ptr<const DecisionModel>> Build(ModelSet models);

  // Evaluates the decision named `name` (or with that id) of the main model.
  // kNotFound when there is no such decision.
  Result<Outcome> EvaluateDecision(std::string_view name, std::span<const InputValue> inputs,
                                   EvaluateOptions options = {}) const;
  // Evaluates several decisions of one request: each required decision is evaluated once.
  Result<std::vector<Outcome>> EvaluateDecisions(std::span<const std::string> names,
                                                 std::span<const InputValue> inputs,
                                                 EvaluateOptions options = {}) const;
  // Invokes the decision service `name` with its parameters (input decisions and input data)
  // given by name. The value is the output decision's value, or a context of the output
  // decisions' values when there are several.
  Result<Outcome> InvokeDecisionService(std::string_view name,
                                        std::span<const InputValue> arguments) const;
  // Invokes the business knowledge model `name` with arguments given by parameter name.
  Result<Outcome> InvokeKnowledgeModel(std::string_view name,
                                       std::span<const InputValue> arguments) const;

  // Input values from a context (e.g. parsed JSON): one per entry. JSON has no dates, so a
  // string given for an input data declared as a date, time, date and time or duration is
  // parsed as one (it stays a string, and fails the type check, when it is not one).
  std::vector<InputValue> InputsFromContext(const feel::Value& context) const;

  // Texts that did not compile and type references that could not be resolved.
  const std::vector<std::string>& problems() const;
  const ModelSet& models() const;

  // Function values returned by an evaluation (a BKM, a decision service, a boxed function)
  // refer to this model: keep it alive while they are used.
  ~DecisionModel();
  explicit DecisionModel(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tongban::dmn
