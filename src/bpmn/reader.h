// BPMN 2.0 XML (bpmn-js, Camunda 8 modeler) → Definitions. Elements are resolved by namespace
// URI, never by prefix. FEEL expressions (`=`-prefixed) are compiled once here; anything that
// would change execution and is not supported (JavaScript, Camunda 7 `camunda:` expressions,
// signal events, ...) is refused with the element's id, never silently ignored.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "bpmn/model.h"

namespace tongban::bpmn {

// Reads a model. Errors only when the text is not XML or has no BPMN definitions; every other
// problem (refusals, FEEL errors, validation) is listed in Definitions::problems with the
// element's id.
Result<Definitions> ParseBpmn(std::string_view xml, std::string_view origin = "model");
Result<Definitions> LoadBpmnFile(const std::string& path);

// The structural checks of one process: unreachable nodes, gateways without outgoing flows,
// missing conditions, exclusive gateways without a default (a warning), ...
std::vector<Problem> Validate(const Process& process);

// While alive on this thread, FEEL `now()` and `today()` in model expressions read `clock`
// (the engine's injectable clock) instead of the system clock.
class ClockOverride {
 public:
  explicit ClockOverride(const Clock& clock);
  ~ClockOverride();
  ClockOverride(const ClockOverride&) = delete;
  ClockOverride& operator=(const ClockOverride&) = delete;

 private:
  const Clock* previous_;
};

// "error" / "warning" then the element id and message: `error: Gateway_1: no outgoing flow`.
std::string FormatProblem(const Problem& p);

}  // namespace tongban::bpmn
