// The durable form of an instance: InstanceState and FEEL values as JSON text, typed so that
// every value the engine keeps round-trips exactly (decimals as their text, dates, times, date
// and times with their zone, both durations, lists, contexts in order, ranges). Functions cannot
// be stored: a variable holding one is stored as null.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "bpmn/engine.h"
#include "feel/value.h"

namespace tongban::bpmn {

// JSON text of `state`, read back by DecodeState into an equal state.
std::string EncodeState(const InstanceState& state);
// kIntegrity when `text` is not a state EncodeState wrote.
Result<InstanceState> DecodeState(std::string_view text);

// One typed value as JSON text, and back (kIntegrity on a malformed text).
std::string EncodeValue(const feel::Value& value);
Result<feel::Value> DecodeValue(std::string_view text);

}  // namespace tongban::bpmn
