// How many PutTypes calls have committed in this process (through any LicenceService): a cache
// of the parsed licence types (the material sources read them per submission) keeps what it
// loaded while this count stays where it was when it loaded.
#pragma once

#include <cstdint>

namespace tongban::licences {

uint64_t LicenceTypesGeneration();

}  // namespace tongban::licences
